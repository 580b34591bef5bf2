"""督办单: supervision notices for overdue items, and each agency's supervision policy."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel
from bangban.supervision.workflow import (
    ACTIVE_STATES,
    NoticeLevel,
    NoticeState,
    ReferralBody,
)


def default_policy_value(name):
    """The built-in default of a policy field, overridable in `settings.SUPERVISION_DEFAULTS`."""
    return getattr(settings, "SUPERVISION_DEFAULTS", {}).get(name, POLICY_DEFAULTS[name])


POLICY_DEFAULTS = {
    "notice_response_days": 3,
    "escalated_response_days": 2,
    "auto_refer": True,
    "referral_body": ReferralBody.DISCIPLINE_INSPECTION,
}


class SupervisionPolicy(TimeStampedModel):
    """An agency's supervision deadlines. An agency without a policy uses its nearest parent's,
    and without any, `settings.SUPERVISION_DEFAULTS` (selectors.policy_for)."""

    agency = models.OneToOneField(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE,
        related_name="supervision_policy",
        help_text=_("Applies to this agency and to the agencies below it that have no policy "
                    "of their own."),
    )
    notice_response_days = models.PositiveSmallIntegerField(
        _("working days to answer a notice"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        default=POLICY_DEFAULTS["notice_response_days"],
        help_text=_("Unanswered after this many working days, a notice is escalated to the "
                    "agency's leadership."),
    )
    escalated_response_days = models.PositiveSmallIntegerField(
        _("working days to answer an escalated notice"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        default=POLICY_DEFAULTS["escalated_response_days"],
        help_text=_("Unanswered after this many more working days, an escalated notice is "
                    "referred to discipline inspection / audit."),
    )
    auto_refer = models.BooleanField(
        _("refer automatically"), default=POLICY_DEFAULTS["auto_refer"],
        help_text=_("Otherwise the referral waits for a chief specialist or supervisor."),
    )
    referral_body = models.CharField(
        _("refer to"), max_length=24, choices=ReferralBody.choices,
        default=POLICY_DEFAULTS["referral_body"],
    )

    class Meta:
        verbose_name = _("supervision policy")
        verbose_name_plural = _("supervision policies")

    def __str__(self):
        return str(self.agency)


class SupervisionNotice(TimeStampedModel):
    """督办单: issued when an item is overdue (Binzhou 7.5.4), escalated while unanswered.

    `response_due` is the last day for the department's reply; `next_escalation_on` is the day
    the scan acts on it (the day after `response_due`) — empty once nothing automatic is left
    to do (answered, closed, referred, or referral left to people).
    """

    number = models.CharField(_("notice number"), max_length=32, unique=True)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("issuing agency"), on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    item = models.ForeignKey(
        "cases.CaseItem", verbose_name=_("item"), on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    level = models.CharField(_("level"), max_length=16, choices=NoticeLevel.choices,
                             default=NoticeLevel.NOTICE, db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=NoticeState.choices,
                             default=NoticeState.OPEN, db_index=True)
    item_due_date = models.DateField(_("item due date"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
        related_name="+",
    )
    response_due = models.DateField(_("reply due by"), db_index=True)
    next_escalation_on = models.DateField(_("next escalation on"), null=True, blank=True,
                                          db_index=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("escalated by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    referred_to = models.CharField(_("referred to"), max_length=24, choices=ReferralBody.choices,
                                   blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    referral_note = models.TextField(_("referral note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_escalation_on"],
                         name="supervision_due_idx"),
            models.Index(fields=["department", "state"], name="supervision_department_idx"),
            # A department's workbench lists its open notices, the reply due first, a page at
            # a time: in index order, so a page joins 25 notices, not all of them.
            models.Index(fields=["department", "response_due", "id"],
                         condition=Q(state=NoticeState.OPEN.value),
                         name="supervision_open_due_idx"),
            # The lists show the newest first: a page without sorting every visible notice.
            models.Index(fields=["issued_at", "id"], name="supervision_issued_idx"),
        ]
        constraints = [
            # Two scans (or two workers) can never issue two notices for the same lapse: at
            # most one notice per item is active, and at most one per missed due date.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state__in=[NoticeState.OPEN.value, NoticeState.ANSWERED.value]),
                name="supervision_one_active_notice_per_item",
            ),
            models.UniqueConstraint(
                fields=["item", "item_due_date"], name="supervision_one_notice_per_due_date",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    def clean(self):
        if self.level == NoticeLevel.REFERRED and not self.referred_to:
            raise ValidationError({"referred_to": _("Say which body the notice is referred to.")})
        if self.state == NoticeState.ANSWERED and not self.reply.strip():
            raise ValidationError({"reply": _("An answered notice needs the reply.")})
