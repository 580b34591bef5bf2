from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import LimitUnit
from bangban.core.models import TimeStampedModel
from bangban.deadlines.models import WarningLevel


class ServiceMode(models.TextChoices):
    ASSIST = "assist", _("Assist (帮办)")
    AGENT = "agent", _("Agent (代办)")


class ServiceScope(models.TextChoices):
    FULL = "full", _("Full process")
    STAGE = "stage", _("One or more stages")
    SINGLE = "single", _("Single item")


class SuspensionReason(models.TextChoices):
    """Qujiang 实施细则 第十八条, items 1–5."""

    NOT_COMPLIANT = "not_compliant", _(
        "The project does not meet laws, regulations or policy, or cannot be completed"
    )
    MATERIALS_INVALID = "materials_invalid", _(
        "Materials fail the legal conditions and cannot be corrected, or are untrue"
    )
    MATERIALS_OVERDUE = "materials_overdue", _(
        "The company did not provide materials in time after reminders"
    )
    FEES_UNPAID = "fees_unpaid", _("The company has not paid the required fees")
    COMPANY_REQUEST = "company_request", _("The company asked to suspend the service")


class TerminationReason(models.TextChoices):
    """Binzhou DB3716/T 2—2022 7.8 a)–f)."""

    COMPANY_REQUEST = "company_request", _("The company asked to terminate the service")
    MATERIALS_NOT_CORRECTED = "materials_not_corrected", _(
        "Materials fail the legal conditions and cannot be corrected in time"
    )
    CONDITIONS_CHANGED = "conditions_changed", _(
        "Market demand or construction conditions changed so the project cannot go on"
    )
    LAW_CHANGED = "law_changed", _("Laws, regulations or state policy changed")
    MAJOR_ACCIDENT = "major_accident", _(
        "A major accident or serious violation with severe consequences"
    )
    OTHER = "other", _("Other")


class HandoverMethod(models.TextChoices):
    """Binzhou 7.6: results mailed, fetched by the specialist, or collected by the company."""

    MAIL = "mail", _("Mailed (free express)")
    SPECIALIST_PICKUP = "specialist_pickup", _("Picked up by the specialist")
    SELF_COLLECT = "self_collect", _("Collected by the company")


class Case(TimeStampedModel):
    """帮办代办申请 / 委托: one service engagement for one project."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
        related_name="cases",
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
        related_name="cases",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.DRAFT,
        db_index=True,
    )
    suspended_from_state = models.CharField(max_length=16, choices=CaseState.choices, blank=True)
    mode = models.CharField(_("service mode"), max_length=8, choices=ServiceMode.choices)
    scope = models.CharField(_("service scope"), max_length=8, choices=ServiceScope.choices)
    requested_stages = models.ManyToManyField(
        "catalog.Stage", verbose_name=_("requested stages"), blank=True, related_name="+"
    )
    requested_matters = models.ManyToManyField(
        "catalog.Matter", verbose_name=_("requested items"), blank=True, related_name="+"
    )
    requested_items_note = models.TextField(_("requested items (as written)"), blank=True)
    project_summary = models.TextField(_("project summary"))
    company_contact = models.ForeignKey(
        "companies.CompanyContact", verbose_name=_("company contact"), on_delete=models.PROTECT,
        related_name="cases",
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible specialist"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="cases_as_specialist",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    handler_opinion = models.TextField(_("handler's opinion"), blank=True)
    leader_instruction = models.TextField(_("leader's instruction"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    suspension_reason = models.CharField(
        _("reason for suspension"), max_length=32, choices=SuspensionReason.choices, blank=True
    )
    termination_reason = models.CharField(
        _("reason for termination"), max_length=32, choices=TerminationReason.choices,
        blank=True,
    )
    target_completion_date = models.DateField(_("target completion date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    plan_published_at = models.DateTimeField(_("plan published at"), null=True, blank=True)
    handover_method = models.CharField(
        _("handover of results"), max_length=24, choices=HandoverMethod.choices, blank=True
    )
    handover_tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completion_confirmed_by = models.ForeignKey(
        "companies.CompanyContact", verbose_name=_("completion confirmed by"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "state"]),
            # Every case list shows the newest first: walked backwards, this gives a page of a
            # supervisor's 100,000 cases without sorting them all.
            models.Index(fields=["created_at", "id"], name="cases_case_created_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.project}"

    @property
    def company(self):
        return self.project.company


class Agreement(TimeStampedModel):
    """代办协议, signed before an agent-mode case is planned (Binzhou 7.2.2)."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="agreement"
    )
    signed_on = models.DateField(_("signed on"))
    document = models.ForeignKey(
        "documents.Document", verbose_name=_("signed agreement"), on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agency agreement")
        verbose_name_plural = _("agency agreements")

    def __str__(self):
        return str(self.case)


class CaseItem(TimeStampedModel):
    """One matter handled for one case (办理事项清单), with its own state and deadline."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="items"
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), on_delete=models.PROTECT,
        related_name="case_items",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT,
        related_name="case_items",
    )
    state = models.CharField(
        _("state"), max_length=24, choices=ItemState.choices, default=ItemState.PLANNED,
        db_index=True,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    promised_limit = models.PositiveSmallIntegerField(_("promised time limit"))
    limit_unit = models.CharField(
        _("limit unit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    prerequisites = models.ManyToManyField(
        "self", verbose_name=_("runs after"), symmetrical=False, blank=True,
        related_name="followers",
    )
    materials = models.JSONField(_("required materials"), default=list, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    accepted_with_gaps = models.BooleanField(_("accepted with gaps (容缺受理)"), default=False)
    commitment_based = models.BooleanField(_("commitment-based (告知承诺)"), default=False)
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    warning_level = models.CharField(
        _("warning level"), max_length=8, choices=WarningLevel.choices, blank=True,
        db_index=True,
    )
    # The clock (deadlines/clock.py): the day the warning level may next change, for the scan
    # (deadlines/jobs.py) to select only the rows that are due; empty while nothing can change.
    warning_next_check = models.DateField(
        _("next warning check"), null=True, blank=True, db_index=True
    )
    extended_days = models.PositiveSmallIntegerField(_("extended by (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    days_used = models.PositiveSmallIntegerField(
        _("days used"), null=True, blank=True,
        help_text=_("Days of the limit's unit the clock counted up to the decision."),
    )
    result_number = models.CharField(_("result document number"), max_length=64, blank=True)
    result_document = models.ForeignKey(
        "documents.Document", verbose_name=_("result document"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("case item")
        verbose_name_plural = _("case items")
        ordering = ["case", "position", "pk"]
        indexes = [
            models.Index(fields=["department", "state"]),
            # A department's workbench lists its open items oldest push first, a page at a
            # time: in index order, so a page joins 25 items, not all of the department's.
            models.Index(
                fields=["department", "pushed_at", "id"],
                condition=Q(state__in=["pushed", "accepted", "supplement_requested"]),
                name="cases_item_at_department_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "matter"], name="case_item_unique_matter"),
        ]

    def __str__(self):
        return self.matter.name

    def clean(self):
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError(
                {"planned_end": _("The planned end cannot be before the planned start.")}
            )


class SupplementRequest(TimeStampedModel):
    """补正: the department asks for more material; the item waits until it is supplied."""

    item = models.ForeignKey(
        CaseItem, verbose_name=_("item"), on_delete=models.CASCADE,
        related_name="supplement_requests",
    )
    reason = models.TextField(_("what is missing"))
    due_date = models.DateField(_("supply by"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    supplied_at = models.DateTimeField(_("supplied at"), null=True, blank=True)
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supplied by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")
        ordering = ["item", "-created_at"]

    def __str__(self):
        return f"{self.item} · {self.reason[:30]}"


class PauseCause(models.TextChoices):
    SUPPLEMENT = "supplement", _("Supplement requested")
    SPECIAL_PROCEDURE = "special_procedure", _("Special procedure")
    CASE_SUSPENDED = "case_suspended", _("Case suspended")


class PauseAttribution(models.TextChoices):
    """Whose side the paused time is on, so statistics can attribute delay."""

    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")


class SpecialProcedureKind(models.TextChoices):
    """行政许可法 §45: time for these is not counted in the limit."""

    HEARING = "hearing", _("Hearing (听证)")
    TENDER_AUCTION = "tender_auction", _("Tender or auction (招标、拍卖)")
    TESTING = "testing", _("Inspection, testing or quarantine (检验、检测、检疫)")
    APPRAISAL = "appraisal", _("Appraisal (鉴定)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")


class ClockPause(TimeStampedModel):
    """A span during which an item's clock does not run (SPEC §5): opened and closed only by
    the item and case services. The days from the day after `started_at` up to the day of
    `ended_at` are not counted (deadlines/clock.py)."""

    item = models.ForeignKey(
        CaseItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="pauses"
    )
    cause = models.CharField(_("cause"), max_length=24, choices=PauseCause.choices)
    kind = models.CharField(_("special procedure"), max_length=24, blank=True,
                            choices=SpecialProcedureKind.choices)
    attributed_to = models.CharField(_("attributed to"), max_length=16,
                                     choices=PauseAttribution.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    end_note = models.TextField(_("note at the end"), blank=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["item", "started_at", "pk"]
        indexes = [models.Index(fields=["item", "ended_at"])]

    def __str__(self):
        return f"{self.item} · {self.get_cause_display()}"

    def clean(self):
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("A pause cannot end before it starts.")})
        if self.cause == PauseCause.SPECIAL_PROCEDURE and not self.kind:
            raise ValidationError({"kind": _("Choose the special procedure.")})


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Ledger entries cannot be changed."))

    def delete(self):
        raise ValidationError(_("Ledger entries cannot be deleted."))


class LedgerEntry(models.Model):
    """台账: one dated service action on a case. Append-only; it is also the audit trail."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="ledger"
    )
    item = models.ForeignKey(
        CaseItem, verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="ledger",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("acting as"), max_length=32)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from state"), max_length=24, blank=True)
    to_state = models.CharField(_("to state"), max_length=24, blank=True)
    reason = models.TextField(_("reason / note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Ledger entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries cannot be deleted."))
