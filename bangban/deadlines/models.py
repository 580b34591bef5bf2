import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.core.models import TimeStampedModel


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKDAY = "workday", _("Working day")


class WarningLevel(models.TextChoices):
    """How close an item is to its due date (SPEC §5); empty while no clock runs."""

    GREEN = "green", _("On time")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


class CalendarDay(TimeStampedModel):
    """An exception to "Monday to Friday are working days": a statutory day off or a make-up
    working day (调休). National rows (no agency) come from the State Council's schedule; an
    agency's rows are its local days (e.g. minority-nationality holidays) and apply to it and
    to the agencies below it."""

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True,
                            help_text=_("The holiday, e.g. 春节 or 古尔邦节."))
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="calendar_days",
        help_text=_("Leave empty for the national schedule; choose an agency for its local "
                    "days off, which also apply to the agencies below it."),
    )

    class Meta:
        verbose_name = pgettext_lazy("working-day calendar", "calendar day")
        verbose_name_plural = pgettext_lazy("working-day calendar", "calendar days")
        ordering = ["-date", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(agency__isnull=True),
                name="calendar_day_unique_national",
                violation_error_message=_("The national calendar already has this date."),
            ),
            models.UniqueConstraint(
                fields=["date", "agency"], name="calendar_day_unique_per_agency",
                violation_error_message=_("This agency's calendar already has this date."),
            ),
        ]

    def __str__(self):
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()

    @property
    def is_working(self):
        return self.kind == DayKind.WORKDAY

    def clean(self):
        if self.date and self.kind == DayKind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": _(
                "%(date)s is a weekday and so already a working day; a make-up working day "
                "falls on a Saturday or Sunday."
            ) % {"date": self.date.isoformat()}})


class PublishedYear(TimeStampedModel):
    """A year whose official schedule is in the calendar. Results that depend on days of any
    other year count Monday to Friday and are marked provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=255, blank=True,
                              help_text=_("Where the schedule came from, e.g. the file imported."))

    class Meta:
        verbose_name = _("published year")
        verbose_name_plural = _("published years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarRevision(models.Model):
    """One row whose token changes with every change to the calendar, in the same transaction.

    Each process keeps the calendar it built in memory with the token it was built at and
    rebuilds it when the stored token differs: one indexed one-row read per use, correct across
    processes. A random token (not a counter) so that a rolled-back change can never be
    mistaken for a later one that happens to reach the same number.
    """

    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")

    def __str__(self):
        return str(self.token)


class WarningPolicy(TimeStampedModel):
    """An agency's warning window (SPEC §5): yellow from `days_left` days left or
    `percent_used` % of the limit used, whichever comes first. Optional: an agency without one
    uses its nearest parent's, else the `BANGBAN_WARNING_DEFAULTS` setting."""

    agency = models.OneToOneField(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
        related_name="warning_policy",
    )
    days_left = models.PositiveSmallIntegerField(
        _("yellow with days left"), default=2,
        help_text=_("Yellow when this many days of the limit or fewer are left."),
    )
    percent_used = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("yellow with % used"), default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Yellow when this share of the limit (in %) has been used."),
    )

    class Meta:
        verbose_name = _("warning policy")
        verbose_name_plural = _("warning policies")
        ordering = ["agency__path"]

    def __str__(self):
        return str(self.agency)
