"""一事一评: the company's rating of a finished item or a completed case, the verification and
rectification a bad rating opens, and each agency's evaluation policy."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel
from bangban.evaluations.workflow import (
    UNANSWERED_STATES,
    EvaluationChannel,
    Rating,
    RectificationState,
    is_bad,
)

POLICY_DEFAULTS = {
    "rating_window_days": 30,
    "rectification_days": 15,
}


def default_policy_value(name):
    """The built-in default of a policy field, overridable in `settings.EVALUATION_DEFAULTS`."""
    return getattr(settings, "EVALUATION_DEFAULTS", {}).get(name, POLICY_DEFAULTS[name])


class EvaluationPolicy(TimeStampedModel):
    """An agency's rating window and rectification deadline. An agency without a policy uses
    its nearest parent's, and without any, `settings.EVALUATION_DEFAULTS`
    (selectors.policy_for)."""

    agency = models.OneToOneField(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
        related_name="evaluation_policy",
        help_text=_("Applies to this agency and to the agencies below it that have no policy "
                    "of their own."),
    )
    rating_window_days = models.PositiveSmallIntegerField(
        _("days open for rating"),
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        default=POLICY_DEFAULTS["rating_window_days"],
        help_text=_("Calendar days after an item's decision or a case's completion during "
                    "which the company may rate it."),
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("working days to answer a bad rating"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        default=POLICY_DEFAULTS["rectification_days"],
        help_text=_("A bad rating is verified, rectified and answered with a return visit "
                    "within this many working days."),
    )

    class Meta:
        verbose_name = _("evaluation policy")
        verbose_name_plural = _("evaluation policies")

    def __str__(self):
        return str(self.agency)


class Evaluation(TimeStampedModel):
    """One company's rating of one finished item (`item` set) or of a completed case (`item`
    empty). The case's agency, its specialist and the item's department are kept as they were
    when the rating was given: the figures of a specialist later replaced stay theirs."""

    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.PROTECT,
        related_name="evaluations",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
        related_name="evaluations",
    )
    item = models.ForeignKey(
        "cases.CaseItem", verbose_name=_("item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="evaluations",
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
        related_name="evaluations",
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("specialist"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="evaluations_received",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="evaluations",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices,
                                              db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=EvaluationChannel.choices)
    contact = models.ForeignKey(
        "companies.CompanyContact", verbose_name=_("rated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="evaluations",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            # 一事一评: one rating per item, and one for the whole case, per company.
            models.UniqueConstraint(fields=["company", "item"], condition=Q(item__isnull=False),
                                    name="evaluation_one_per_item"),
            models.UniqueConstraint(fields=["company", "case"], condition=Q(item__isnull=True),
                                    name="evaluation_one_per_case"),
        ]
        indexes = [
            models.Index(fields=["agency", "rated_at"], name="evaluation_agency_idx"),
        ]

    def __str__(self):
        subject = self.item.matter.name if self.item_id else self.case.number
        return f"{subject} · {self.get_rating_display()}"

    @property
    def is_bad(self):
        return is_bad(self.rating)

    def clean(self):
        if self.is_bad and not self.comment.strip():
            raise ValidationError({"comment": _("Say what was wrong: a bad rating needs a "
                                                "comment.")})
        if self.item_id and self.item.case_id != self.case_id:
            raise ValidationError({"item": _("The item belongs to another case.")})


class Rectification(TimeStampedModel):
    """核实整改: opened by a bad rating, owned by the chief specialists of the case's agency,
    answered within the agency's working days (`due_date`)."""

    evaluation = models.OneToOneField(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
        related_name="rectification",
    )
    state = models.CharField(_("state"), max_length=12, choices=RectificationState.choices,
                             default=RectificationState.OPEN, db_index=True)
    due_date = models.DateField(_("answer due by"), db_index=True)
    founded = models.BooleanField(_("complaint founded"), null=True, blank=True)
    finding = models.TextField(_("finding of the verification"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    measures = models.TextField(_("rectification measures"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rectified by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    feedback = models.TextField(_("the company's feedback"), blank=True)
    visited_at = models.DateTimeField(_("return visit at"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("return visit by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="rectification_due_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return f"ZG{timezone.localtime(self.created_at):%Y}{self.pk:06d}"

    @property
    def is_overdue(self):
        return self.state in UNANSWERED_STATES and self.due_date < timezone.localdate()

    def clean(self):
        if self.state != RectificationState.OPEN and self.founded is None:
            raise ValidationError({"founded": _("Say whether the complaint was founded.")})
        if self.state == RectificationState.RECTIFIED and not self.measures.strip():
            raise ValidationError({"measures": _("Describe the rectification measures.")})
