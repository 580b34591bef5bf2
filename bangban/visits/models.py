"""Visits and activities (SPEC §6): on-site visits, return visits, trainings and
government–enterprise interaction activities, which feed the quarterly interaction statistics
(Guangzhou 三(四)), and the record of each agency's quarterly reminder."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel


class ActivityKind(models.TextChoices):
    ON_SITE_VISIT = "on_site_visit", _("On-site visit")
    RETURN_VISIT = "return_visit", _("Return visit")
    TRAINING = "training", _("Training")
    INTERACTION = "interaction", _("Government–enterprise interaction activity")


class Activity(TimeStampedModel):
    """One visit or event held by an agency's staff. A return visit may follow a case (after
    its completion, or a bad evaluation); any other kind may name one too."""

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    held_on = models.DateField(_("held on"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("location"), max_length=255, blank=True)
    participants_count = models.PositiveIntegerField(
        _("participants"), validators=[MinValueValidator(1), MaxValueValidator(100000)],
    )
    companies = models.ManyToManyField(
        "companies.Company", verbose_name=_("companies"), blank=True, related_name="activities",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="activities",
    )
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("visit or activity")
        verbose_name_plural = _("visits and activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["agency", "held_on"], name="activity_agency_day_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.title}"


class StatisticsReminder(models.Model):
    """The reminder sent to an agency's chief specialists to fill in the previous quarter's
    interaction statistics. One row per agency and reported quarter: the unique constraint is
    what makes the reminder go out once, however many workers run."""

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
        related_name="statistics_reminders",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statistics reminder")
        verbose_name_plural = _("statistics reminders")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "quarter"],
                                    name="statistics_reminder_once_per_quarter"),
        ]

    def __str__(self):
        return f"{self.agency} · {self.year} Q{self.quarter}"


# What the case's ledger calls a visit recorded on the case (services.record_activity).
LEDGER_LABELS = {
    "visit_recorded": _("Visit or activity recorded"),
}
