"""Problems (意见反馈表), their escalations, feedback letters (问题反馈函), and each agency's
problem policy (the working days each level has)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.models import ChoiceLabelsMixin, TimeStampedModel
from bangban.problems.workflow import (
    ACTIVE_STATES,
    Closure,
    ProblemLevel,
    ProblemState,
)

POLICY_DEFAULTS = {
    "level_1_days": 3,
    "level_2_days": 5,
    "level_3_days": 10,
    "level_4_days": 15,
}


def default_policy_value(name):
    """The built-in default of a policy field, overridable in `settings.PROBLEM_DEFAULTS`."""
    return getattr(settings, "PROBLEM_DEFAULTS", {}).get(name, POLICY_DEFAULTS[name])


def _days_field(label, help_text, name):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(120)],
        default=POLICY_DEFAULTS[name], help_text=help_text,
    )


class ProblemPolicy(TimeStampedModel):
    """The working days a problem has at each level. An agency without a policy uses its
    nearest parent's, and without any, `settings.PROBLEM_DEFAULTS` (selectors.policy_for)."""

    agency = models.OneToOneField(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
        related_name="problem_policy",
        help_text=_("Applies to this agency and to the agencies below it that have no policy "
                    "of their own."),
    )
    level_1_days = _days_field(_("working days at the specialist's level"),
                               _("Unanswered after this many working days, a problem goes to "
                                 "the chief responsible person."), "level_1_days")
    level_2_days = _days_field(_("working days at the chief responsible person's level"),
                               _("Unanswered after this many working days, a problem goes to "
                                 "a joint meeting."), "level_2_days")
    level_3_days = _days_field(_("working days at the joint meeting's level"),
                               _("Unanswered after this many working days, a problem goes to "
                                 "a special meeting of the leadership."), "level_3_days")
    level_4_days = _days_field(_("working days at the leadership meeting's level"),
                               _("The time the leadership's special meeting has to settle the "
                                 "problem."), "level_4_days")

    class Meta:
        verbose_name = _("problem policy")
        verbose_name_plural = _("problem policies")

    def __str__(self):
        return str(self.agency)

    def days_for(self, level):
        return getattr(self, f"level_{int(level)}_days")


class Problem(TimeStampedModel):
    """意见反馈表 (Qujiang 附件5): a problem a company or a specialist raised on a case.

    `due_on` is the last day of the current level; `next_escalation_on` (the day after it) is
    the day the worker escalates the problem if it is still unanswered — empty while nothing
    automatic is left to do (answered, passed on, closed, or at the top level).
    """

    number = models.CharField(_("problem number"), max_length=32, unique=True)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
        related_name="problems",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="problems",
    )
    item = models.ForeignKey(
        "cases.CaseItem", verbose_name=_("item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="problems",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT,
        related_name="problems",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is wrong"))
    requested_outcome = models.TextField(_("what the company wants"))
    attachments = models.ManyToManyField(
        "documents.Document", verbose_name=_("attachments"), blank=True, related_name="+",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
        related_name="+",
    )
    raised_as = models.CharField(_("raised as"), max_length=32)
    raised_at = models.DateTimeField(_("raised at"))
    state = models.CharField(_("state"), max_length=16, choices=ProblemState.choices,
                             default=ProblemState.OPEN, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=ProblemLevel.choices,
                                             default=ProblemLevel.SPECIALIST, db_index=True)
    due_on = models.DateField(_("due at this level by"), db_index=True)
    next_escalation_on = models.DateField(_("next escalation on"), null=True, blank=True,
                                          db_index=True)
    answer = models.TextField(_("department's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    relayed_answer = models.TextField(_("answer to the company"), blank=True)
    relayed_at = models.DateTimeField(_("passed to the company at"), null=True, blank=True)
    relayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("passed to the company by"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )
    closure = models.CharField(_("closed by"), max_length=16, choices=Closure.choices,
                               blank=True)
    closing_reason = models.TextField(_("reason for closing"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_escalation_on"], name="problem_due_idx"),
            models.Index(fields=["department", "state"], name="problem_department_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    @property
    def is_overdue(self):
        """Unanswered past its level's due date (what the list's "overdue" filter selects)."""
        return self.state == ProblemState.OPEN and self.due_on < timezone.localdate()

    def clean(self):
        if self.item_id and self.case_id and self.item.case_id != self.case_id:
            raise ValidationError({"item": _("The item belongs to another case.")})
        if self.state == ProblemState.CLOSED and not self.closure:
            raise ValidationError({"closure": _("Say how the problem was closed.")})
        if self.closure == Closure.WITH_REASON and not self.closing_reason.strip():
            raise ValidationError({"closing_reason": _("Give the reason for closing.")})


class ProblemEscalation(ChoiceLabelsMixin, models.Model):
    """One step up the four levels, by hand or by the worker. A problem reaches each level at
    most once: the constraint stops a second worker (or a second click) from escalating twice."""

    problem = models.ForeignKey(Problem, verbose_name=_("problem"), on_delete=models.CASCADE,
                                related_name="escalations")
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=ProblemLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=ProblemLevel.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    automatic = models.BooleanField(_("automatic"), default=False)
    reason = models.TextField(_("reason"))
    due_on = models.DateField(_("due at the new level by"))

    class Meta:
        verbose_name = _("problem escalation")
        verbose_name_plural = _("problem escalations")
        ordering = ["problem", "to_level"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "to_level"],
                                    name="problem_reaches_each_level_once"),
        ]

    def __str__(self):
        return f"{self.problem.number}: {self.from_level} → {self.to_level}"


class FeedbackLetter(models.Model):
    """问题反馈函 (Qujiang 第十九条): a request outside the service's scope, passed on to the
    body that can settle it."""

    number = models.CharField(_("letter number"), max_length=32, unique=True)
    problem = models.OneToOneField(Problem, verbose_name=_("problem"),
                                   on_delete=models.PROTECT, related_name="feedback_letter")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("sending agency"),
                               on_delete=models.PROTECT, related_name="+")
    addressee = models.CharField(_("addressed to"), max_length=200)
    content = models.TextField(_("content"))
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"),
                                on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback letter")
        verbose_name_plural = _("feedback letters")
        ordering = ["-sent_on", "-pk"]

    def __str__(self):
        return self.number
