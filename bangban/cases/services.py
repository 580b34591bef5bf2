"""Every change to a case or an item: one function per action of `workflow.py`.

Each function runs in one transaction: it locks the case (and the item) row, checks the actor's
role and the current state against the workflow table, validates, saves, appends a ledger
entry and writes its notifications to the outbox in the same transaction, so a message exists
exactly when the change it reports does. A second click or a second person acting at the same
moment finds the new state and gets a clear "already done" message instead of a double action.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from bangban.accounts.models import Membership, Role
from bangban.accounts.permissions import case_roles, item_roles
from bangban.accounts.recipients import (
    case_company_users,
    department_representatives,
    staff_with_role_over,
)
from bangban.cases.models import (
    Agreement,
    Case,
    CaseItem,
    ClockPause,
    HandoverMethod,
    LedgerEntry,
    PauseAttribution,
    PauseCause,
    ServiceMode,
    ServiceScope,
    SpecialProcedureKind,
    SupplementRequest,
    SuspensionReason,
    TerminationReason,
)
from bangban.cases.workflow import (
    CASE_ACTIONS,
    FINISHED_ITEM_STATES,
    ITEM_ACTIONS,
    ITEM_ACTIONS_ALLOWED_IN_CASE_STATES,
    ITEM_ACTIONS_NEEDING_PUBLISHED_PLAN,
    PREVIOUS_STATE,
    CaseState,
    ItemState,
)
from bangban.catalog.models import DefaultItem, LimitUnit
from bangban.companies.models import CompanyContact
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.validation import required_text
from bangban.deadlines import item_clock
from bangban.deadlines.models import WarningLevel
from bangban.deadlines.workdays import add_working_days, next_working_day
from bangban.documents.models import DocumentKind
from bangban.documents.services import check_upload, store_document
from bangban.notifications.services import Message, notify, notify_each
from bangban.webhooks.services import queue_ledger_event

# When a user holds several roles on a case, the ledger names the most specific one.
ROLE_PRECEDENCE = [
    Role.DEPARTMENT_REPRESENTATIVE,
    Role.SPECIALIST,
    Role.CHIEF_SPECIALIST,
    Role.APPLICANT,
    Role.SUPERVISOR,
]


# ---------------------------------------------------------------------------- helpers


def _lock_case(case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("agency", "project__company", "specialist", "company_contact")
        .get(pk=case.pk)
    )


def _lock_item(item) -> CaseItem:
    # The case is locked first, always, so two actions never wait on each other in a circle.
    case = _lock_case(item.case)
    locked = (
        CaseItem.objects.select_for_update(of=("self",))
        .select_related("matter", "department")
        .get(pk=item.pk)
    )
    locked.case = case
    return locked


def _acting_role(action, roles):
    allowed = action.roles & roles
    if not allowed:
        return None
    return next(role for role in ROLE_PRECEDENCE if role in allowed)


def _authorize(action, state, roles, state_label):
    role = _acting_role(action, roles)
    if role is None:
        raise NotAllowed(
            _("You are not allowed to “%(action)s” here.") % {"action": action.label}
        )
    if state not in action.sources:
        if action.target is not None and state == action.target:
            raise InvalidTransition(
                _("Already done: it is already “%(state)s”.") % {"state": state_label}
            )
        raise InvalidTransition(
            _("“%(action)s” is not possible while it is “%(state)s”.")
            % {"action": action.label, "state": state_label}
        )
    return role


def _begin_case_action(case, by, name):
    action = CASE_ACTIONS[name]
    case = _lock_case(case)
    role = _authorize(action, case.state, case_roles(by, case), case.get_state_display())
    return action, case, role


def _begin_item_action(item, by, name):
    action = ITEM_ACTIONS[name]
    item = _lock_item(item)
    case = item.case
    role = _authorize(action, item.state, item_roles(by, item), item.get_state_display())
    if case.state not in ITEM_ACTIONS_ALLOWED_IN_CASE_STATES:
        raise InvalidTransition(
            _("Items cannot be worked on while the case is “%(state)s”.")
            % {"state": case.get_state_display()}
        )
    if name in ITEM_ACTIONS_NEEDING_PUBLISHED_PLAN and case.state != CaseState.IN_PROGRESS:
        raise InvalidTransition(_("Publish the plan to the company before pushing items."))
    return action, item, role


def record_ledger(*, case, by, role, action, from_state="", to_state="", reason="", item=None,
                  **details):
    """Appends one entry to the case's ledger (台账); other apps record their actions on a
    case through it, in their own transaction. Webhook endpoints subscribed to the entry's
    event get their deliveries queued in the same transaction."""
    entry = LedgerEntry.objects.create(
        case=case, item=item, actor=by, actor_role=role, action=action,
        from_state=from_state, to_state=to_state, reason=reason, details=details,
    )
    queue_ledger_event(entry)
    return entry


def _finish_case(case, by, role, action, *, reason="", **details):
    from_state = case.state
    if action.target == PREVIOUS_STATE:
        case.state = case.suspended_from_state or CaseState.IN_PROGRESS
        case.suspended_from_state = ""
    elif action.target is not None:
        case.state = action.target
    case.full_clean()
    case.save()
    record_ledger(case=case, by=by, role=role, action=action.name, from_state=from_state,
            to_state=case.state, reason=reason, **details)
    return case


def _finish_item(item, by, role, action, *, reason="", **details):
    from_state = item.state
    if action.target is not None:
        item.state = action.target
    item.full_clean()
    item.save()
    record_ledger(case=item.case, item=item, by=by, role=role, action=action.name,
            from_state=from_state, to_state=item.state, reason=reason, **details)
    return item


def _case_subject(case, text):
    return f"[{case.number}] {text}"


# ---------------------------------------------------------------------------- the clock
# Pauses open and close only here (SPEC §5); every change re-reads the clock into the item's
# stored columns (deadlines/item_clock.py) before the item is saved.

# Whose side a suspension's time is on (Qujiang 第十八条). Every reason lies with the company or
# its project, never with a department: a project that does not meet the law or policy or
# cannot be completed is the company's project, so its paused time is the company's too.
SUSPENSION_ATTRIBUTION = {
    SuspensionReason.NOT_COMPLIANT: PauseAttribution.COMPANY,
    SuspensionReason.MATERIALS_INVALID: PauseAttribution.COMPANY,
    SuspensionReason.MATERIALS_OVERDUE: PauseAttribution.COMPANY,
    SuspensionReason.FEES_UNPAID: PauseAttribution.COMPANY,
    SuspensionReason.COMPANY_REQUEST: PauseAttribution.COMPANY,
}


def _open_pause(item, *, cause, attributed_to, note="", kind=""):
    pause = ClockPause(item=item, cause=cause, attributed_to=attributed_to, kind=kind,
                       started_at=timezone.now(), note=note)
    pause.full_clean()
    pause.save()
    return pause


def _close_pauses(item, *, causes=None, note=""):
    """Ends the item's open pauses (of `causes`, else all); returns how many."""
    pauses = item.pauses.filter(ended_at__isnull=True)
    if causes is not None:
        pauses = pauses.filter(cause__in=causes)
    return pauses.update(ended_at=timezone.now(), end_note=note)


def _clock_details(item):
    return {"item_due_date": item.due_date.isoformat() if item.due_date else None,
            "warning_level": item.warning_level}


def _stop_item_clock(item, note=""):
    _close_pauses(item, note=note)
    item_clock.stop_clock(item)


# ---------------------------------------------------------------------- applications


def _validate_application(*, scope, mode, project_summary, requested_stages,
                          requested_matters):
    errors = {}
    if mode not in ServiceMode.values:
        errors["mode"] = _("Choose assist or agent mode.")
    if scope not in ServiceScope.values:
        errors["scope"] = _("Choose the scope of the service.")
    if not (project_summary or "").strip():
        errors["project_summary"] = _("Please describe the project.")
    if scope == ServiceScope.STAGE and not requested_stages:
        errors["requested_stages"] = _("Choose at least one stage for a stage service.")
    if scope == ServiceScope.SINGLE and not requested_matters:
        errors["requested_matters"] = _("Choose the item for a single-item service.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_application(*, by, project, company_contact, mode, scope, project_summary,
                       requested_items_note="", requested_stages=(), requested_matters=()):
    if project.company_id not in {c.company_id for c in by.company_contacts.all()}:
        raise NotAllowed(_("You can only apply for your own company's projects."))
    if company_contact.company_id != project.company_id:
        raise ValidationError({"company_contact": _("Choose a contact of the project's company.")})
    _validate_application(scope=scope, mode=mode, project_summary=project_summary,
                          requested_stages=requested_stages,
                          requested_matters=requested_matters)
    case = Case(
        number=f"DRAFT-{uuid.uuid4().hex[:20]}", agency=project.agency, project=project,
        company_contact=company_contact, created_by=by, mode=mode, scope=scope,
        project_summary=project_summary.strip(), requested_items_note=requested_items_note,
    )
    case.full_clean()
    case.save()
    case.number = f"BB{timezone.localdate():%Y}{case.pk:06d}"
    case.save(update_fields=["number"])
    case.requested_stages.set(requested_stages)
    case.requested_matters.set(requested_matters)
    record_ledger(case=case, by=by, role=Role.APPLICANT, action="create_application",
            to_state=case.state)
    return case


APPLICATION_FIELDS = frozenset({
    "company_contact", "mode", "scope", "project_summary", "requested_items_note",
    "requested_stages", "requested_matters",
})


@transaction.atomic
def update_application(*, case, by, **fields):
    unknown = set(fields) - APPLICATION_FIELDS
    if unknown:
        raise TypeError(f"update_application() got unexpected fields {sorted(unknown)}")
    action, case, role = _begin_case_action(case, by, "edit_application")
    contact = fields.get("company_contact", case.company_contact)
    if contact.company_id != case.project.company_id:
        raise ValidationError({"company_contact": _("Choose a contact of the project's company.")})
    stages = fields.pop("requested_stages", None)
    matters = fields.pop("requested_matters", None)
    _validate_application(
        scope=fields.get("scope", case.scope), mode=fields.get("mode", case.mode),
        project_summary=fields.get("project_summary", case.project_summary),
        requested_stages=stages if stages is not None else list(case.requested_stages.all()),
        requested_matters=matters if matters is not None else list(case.requested_matters.all()),
    )
    for name, value in fields.items():
        setattr(case, name, value)
    if stages is not None:
        case.requested_stages.set(stages)
    if matters is not None:
        case.requested_matters.set(matters)
    return _finish_case(case, by, role, action, changed=sorted(fields) + (
        ["requested_stages"] if stages is not None else []) + (
        ["requested_matters"] if matters is not None else []))


@transaction.atomic
def submit_application(*, case, by):
    action, case, role = _begin_case_action(case, by, "submit")
    _validate_application(
        scope=case.scope, mode=case.mode, project_summary=case.project_summary,
        requested_stages=list(case.requested_stages.all()),
        requested_matters=list(case.requested_matters.all()),
    )
    case.submitted_at = timezone.now()
    _finish_case(case, by, role, action)
    notify(recipients=staff_with_role_over(case.agency, Role.CHIEF_SPECIALIST), case=case,
           event="application_submitted",
           subject=_case_subject(case, _("New application: %(project)s")
                                 % {"project": case.project.name}))
    notify(recipients=case_company_users(case), case=case, event="application_received",
           subject=_case_subject(case, _("Your application has been received")))
    return case


def _check_specialist(case, specialist):
    eligible = Membership.objects.filter(
        user=specialist, user__is_active=True, agency=case.agency,
        role__in=[Role.SPECIALIST, Role.CHIEF_SPECIALIST],
    ).exists()
    if not eligible:
        raise ValidationError(
            {"specialist": _("Choose a specialist of the case's agency.")}
        )


@transaction.atomic
def accept_application(*, case, by, specialist, company_contact=None, scope=None,
                       handler_opinion="", leader_instruction=""):
    action, case, role = _begin_case_action(case, by, "accept")
    _check_specialist(case, specialist)
    if company_contact is not None:
        if company_contact.company_id != case.project.company_id:
            raise ValidationError(
                {"company_contact": _("Choose a contact of the project's company.")}
            )
        case.company_contact = company_contact
    if scope is not None:
        case.scope = scope
    case.specialist = specialist
    case.handler_opinion = handler_opinion
    case.leader_instruction = leader_instruction
    case.decided_at = timezone.now()
    _finish_case(case, by, role, action, specialist=specialist.pk, scope=case.scope)
    notify(recipients=case_company_users(case), case=case, event="application_accepted",
           subject=_case_subject(case, _("Application accepted; your specialist is %(name)s")
                                 % {"name": specialist.display_name}),
           body=_("Specialist %(name)s, phone %(phone)s, will handle your project.")
           % {"name": specialist.display_name, "phone": specialist.phone})
    notify(recipients=[specialist], case=case, event="specialist_assigned",
           subject=_case_subject(case, _("You are the responsible specialist")))
    return case


@transaction.atomic
def reject_application(*, case, by, reason):
    action, case, role = _begin_case_action(case, by, "reject")
    case.rejection_reason = required_text(
        reason, "reason", _("Please state why the application is rejected.")
    )
    case.decided_at = timezone.now()
    _finish_case(case, by, role, action, reason=case.rejection_reason)
    notify(recipients=case_company_users(case), case=case, event="application_rejected",
           subject=_case_subject(case, _("Application not accepted")),
           body=case.rejection_reason)
    return case


# ------------------------------------------------------------------------ agreement


@transaction.atomic
def record_agreement(*, case, by, signed_on, file):
    action, case, role = _begin_case_action(case, by, "record_agreement")
    if case.mode != ServiceMode.AGENT:
        raise ValidationError(_("Only an agent-mode case has an agency agreement."))
    if Agreement.objects.filter(case=case).exists():
        raise InvalidTransition(_("Already done: the agreement is already recorded."))
    if signed_on is None:
        raise ValidationError({"signed_on": _("Enter the date the agreement was signed.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    document = store_document(case=case, kind=DocumentKind.AGREEMENT, file=file, by=by,
                              title=_("Agency agreement"))
    agreement = Agreement.objects.create(case=case, signed_on=signed_on, document=document,
                                         recorded_by=by)
    _finish_case(case, by, role, action, signed_on=signed_on.isoformat(), document=document.pk)
    return agreement


# ----------------------------------------------------------------------------- plan


def _plan_matters(case):
    requested = list(case.requested_matters.filter(is_active=True))
    if case.scope == ServiceScope.SINGLE:
        return requested
    defaults = DefaultItem.objects.filter(
        category=case.project.category, matter__is_active=True
    ).select_related("matter")
    if case.scope == ServiceScope.STAGE:
        stage_ids = set(case.requested_stages.values_list("pk", flat=True))
        defaults = [d for d in defaults if d.matter.stage_id in stage_ids]
    matters = [d.matter for d in defaults]
    return matters + [m for m in requested if m not in matters]


def _department_for(case, matter):
    """The department of the matter's kind at the case's agency, else at the nearest level above."""
    from bangban.accounts.models import Department

    agency = case.agency
    while agency is not None:
        department = Department.objects.filter(
            agency=agency, kind=matter.department_kind, is_active=True
        ).order_by("pk").first()
        if department is not None:
            return department
        agency = agency.parent
    return None


def _add_duration(start, limit, unit):
    if unit == LimitUnit.CALENDAR_DAY:
        return start + datetime.timedelta(days=limit)
    return add_working_days(start, limit)


def schedule_items(items, start):
    """预排工期: each item starts the working day after its last prerequisite is planned to end."""
    ends = {}
    remaining = list(items)
    while remaining:
        progressed = False
        for item in list(remaining):
            before = [p.pk for p in item.prerequisites.all()]
            if all(pk in ends for pk in before):
                begin = max([ends[pk] for pk in before], default=start)
                item.planned_start = next_working_day(begin)
                item.planned_end = _add_duration(item.planned_start, item.promised_limit,
                                                 item.limit_unit)
                ends[item.pk] = item.planned_end
                remaining.remove(item)
                progressed = True
        if not progressed:
            raise ValidationError(_("The items' prerequisites form a cycle."))
    return max(ends.values(), default=start)


@transaction.atomic
def generate_plan(*, case, by, target_completion_date=None):
    action, case, role = _begin_case_action(case, by, "generate_plan")
    if case.mode == ServiceMode.AGENT and not Agreement.objects.filter(case=case).exists():
        raise InvalidTransition(
            _("An agent-mode case needs its signed agency agreement before it is planned.")
        )
    matters = _plan_matters(case)
    if not matters:
        raise ValidationError(_("The catalog has no items for this project and scope."))
    missing = [m for m in matters if _department_for(case, m) is None]
    if missing:
        raise ValidationError(
            _("No department at this agency or above handles: %(matters)s. An administrator "
              "must add the department first.")
            % {"matters": "、".join(m.name for m in missing)}
        )
    items = {}
    for position, matter in enumerate(matters):
        items[matter.pk] = CaseItem.objects.create(
            case=case, matter=matter, department=_department_for(case, matter),
            position=position, promised_limit=matter.promised_limit,
            limit_unit=matter.promised_limit_unit,
            materials=[material.name for material in matter.materials.all()],
        )
    for matter in matters:
        before = [items[p.pk] for p in matter.prerequisites.all() if p.pk in items]
        items[matter.pk].prerequisites.set(before)
    planned = list(CaseItem.objects.filter(case=case).prefetch_related("prerequisites"))
    finish = schedule_items(planned, timezone.localdate())
    CaseItem.objects.bulk_update(planned, ["planned_start", "planned_end"])
    case.target_completion_date = target_completion_date or finish
    _finish_case(case, by, role, action, matters=[m.code for m in matters],
                 projected_completion=finish.isoformat())
    return case


@transaction.atomic
def add_item(*, case, by, matter, department=None):
    action, case, role = _begin_case_action(case, by, "edit_plan")
    if not matter.is_active:
        raise ValidationError({"matter": _("This matter is no longer in the catalog.")})
    if case.items.filter(matter=matter).exists():
        raise ValidationError({"matter": _("The plan already contains this item.")})
    department = department or _department_for(case, matter)
    if department is None:
        raise ValidationError({"department": _("Choose the department that handles it.")})
    item = CaseItem(
        case=case, matter=matter, department=department,
        position=(case.items.count()), promised_limit=matter.promised_limit,
        limit_unit=matter.promised_limit_unit,
        materials=[material.name for material in matter.materials.all()],
    )
    item.planned_start = next_working_day(timezone.localdate())
    item.planned_end = _add_duration(item.planned_start, item.promised_limit, item.limit_unit)
    item.full_clean()
    item.save()
    _finish_case(case, by, role, action, added=matter.code, matter=matter.name,
                 department=department.pk)
    return item


def _would_cycle(item, prerequisites):
    seen, stack = set(), list(prerequisites)
    while stack:
        current = stack.pop()
        if current.pk == item.pk:
            return True
        if current.pk in seen:
            continue
        seen.add(current.pk)
        stack.extend(current.prerequisites.all())
    return False


@transaction.atomic
def update_item_plan(*, item, by, department=None, promised_limit=None, planned_start=None,
                     planned_end=None, prerequisites=None, accepted_with_gaps=None,
                     commitment_based=None):
    item = _lock_item(item)
    action, case, role = _begin_case_action(item.case, by, "edit_plan")
    item.case = case
    if item.state in FINISHED_ITEM_STATES:
        raise InvalidTransition(_("A finished item cannot be re-planned."))
    changed = {}
    if department is not None and department.pk != item.department_id:
        if not department.is_active:
            raise ValidationError({"department": _("This department is no longer active.")})
        if item.state not in {ItemState.PLANNED, ItemState.PREPARING, ItemState.REVIEWED}:
            raise InvalidTransition(
                _("The department cannot change after the item has been pushed.")
            )
        item.department = department
        changed["department"] = department.pk
    if promised_limit is not None and promised_limit != item.promised_limit:
        legal = item.matter.legal_limit
        if promised_limit < 1:
            raise ValidationError({"promised_limit": _("The promised limit is at least 1 day.")})
        if legal and item.matter.legal_limit_unit == item.limit_unit and promised_limit > legal:
            raise ValidationError(
                {"promised_limit": _("The promised limit cannot exceed the legal limit of "
                                     "%(legal)d days.") % {"legal": legal}}
            )
        item.promised_limit = promised_limit
        changed["promised_limit"] = promised_limit
    for name, value in (("planned_start", planned_start), ("planned_end", planned_end),
                        ("accepted_with_gaps", accepted_with_gaps),
                        ("commitment_based", commitment_based)):
        if value is not None and value != getattr(item, name):
            setattr(item, name, value)
            changed[name] = value.isoformat() if isinstance(value, datetime.date) else value
    if prerequisites is not None:
        prerequisites = list(prerequisites)
        if any(p.case_id != case.pk or p.pk == item.pk for p in prerequisites):
            raise ValidationError(
                {"prerequisites": _("Prerequisites must be other items of the same case.")}
            )
        if _would_cycle(item, prerequisites):
            raise ValidationError(
                {"prerequisites": _("These prerequisites would make the items wait on each "
                                    "other in a circle.")}
            )
        item.prerequisites.set(prerequisites)
        changed["prerequisites"] = sorted(p.pk for p in prerequisites)
    if "promised_limit" in changed and item_clock.has_clock(item):
        item_clock.refresh_clock(item)  # a running clock counts the new limit
        changed.update(_clock_details(item))
    item.full_clean()
    item.save()
    record_ledger(case=case, item=item, by=by, role=role, action=action.name,
            from_state=item.state, to_state=item.state, **changed)
    return item


@transaction.atomic
def remove_item(*, item, by):
    item = _lock_item(item)
    action, case, role = _begin_case_action(item.case, by, "edit_plan")
    if item.state != ItemState.PLANNED or item.ledger.exists() or item.documents.exists():
        raise InvalidTransition(
            _("Only an untouched planned item can be removed; withdraw it instead.")
        )
    matter = item.matter
    item.delete()
    _finish_case(case, by, role, action, removed=matter.code, matter=matter.name)
    return case


@transaction.atomic
def publish_plan(*, case, by):
    action, case, role = _begin_case_action(case, by, "publish_plan")
    if not case.items.exclude(state=ItemState.WITHDRAWN).exists():
        raise ValidationError(_("The plan has no items to publish."))
    case.plan_published_at = timezone.now()
    _finish_case(case, by, role, action)
    notify(recipients=case_company_users(case), case=case, event="plan_published",
           subject=_case_subject(case, _("Your service guide is ready")))
    return case


# ------------------------------------------------------------------- case handling


@transaction.atomic
def log_contact(*, case, by, note, item=None):
    action, case, role = _begin_case_action(case, by, "log_contact")
    note = required_text(note, "note", _("Write down what was discussed."))
    if item is not None and item.case_id != case.pk:
        raise ValidationError({"item": _("The item belongs to another case.")})
    return record_ledger(case=case, item=item, by=by, role=role, action=action.name,
                   from_state=case.state, to_state=case.state, reason=note)


@transaction.atomic
def reassign_specialist(*, case, by, specialist, reason):
    action, case, role = _begin_case_action(case, by, "reassign_specialist")
    reason = required_text(reason, "reason", _("Please state why the specialist changes."))
    if specialist.pk == case.specialist_id:
        raise ValidationError({"specialist": _("This is already the case's specialist.")})
    _check_specialist(case, specialist)
    previous = case.specialist
    case.specialist = specialist
    _finish_case(case, by, role, action, reason=reason, previous=previous and previous.pk,
                 specialist=specialist.pk)
    notify(recipients=case_company_users(case), case=case, event="specialist_changed",
           subject=_case_subject(case, _("Your specialist is now %(name)s")
                                 % {"name": specialist.display_name}),
           body=reason)
    notify(recipients=[specialist, previous], case=case, event="specialist_changed",
           subject=_case_subject(case, _("Responsible specialist changed")), body=reason)
    return case


@transaction.atomic
def suspend_case(*, case, by, reason, note=""):
    action, case, role = _begin_case_action(case, by, "suspend")
    if reason not in SuspensionReason.values:
        raise ValidationError({"reason": _("Choose one of the reasons for suspension.")})
    case.suspended_from_state = case.state
    case.suspension_reason = reason
    paused = []
    for item in _running_clocks(case):
        _open_pause(item, cause=PauseCause.CASE_SUSPENDED,
                    attributed_to=SUSPENSION_ATTRIBUTION[reason], note=note)
        item_clock.refresh_clock(item)
        item.save()
        paused.append(item.pk)
    _finish_case(case, by, role, action, reason=note, suspension_reason=reason,
                 paused_items=paused)
    notify(recipients=case_company_users(case), case=case, event="case_suspended",
           subject=_case_subject(case, _("Service suspended")),
           body=f"{SuspensionReason(reason).label}\n{note}".strip())
    return case


@transaction.atomic
def resume_case(*, case, by, note):
    action, case, role = _begin_case_action(case, by, "resume")
    note = required_text(note, "note", _("Record how the cause of the suspension was removed."))
    case.suspension_reason = ""
    resumed = []
    for item in _running_clocks(case):
        if _close_pauses(item, causes=[PauseCause.CASE_SUSPENDED], note=note):
            resumed.append(item.pk)
        item_clock.refresh_clock(item)
        item.save()
    _finish_case(case, by, role, action, reason=note, resumed_items=resumed)
    notify(recipients=case_company_users(case), case=case, event="case_resumed",
           subject=_case_subject(case, _("Service resumed")), body=note)
    return case


@transaction.atomic
def terminate_case(*, case, by, reason, note=""):
    action, case, role = _begin_case_action(case, by, "terminate")
    if reason not in TerminationReason.values:
        raise ValidationError({"reason": _("Choose one of the reasons for termination.")})
    if reason == TerminationReason.OTHER:
        note = required_text(note, "note", _("Describe the reason for termination."))
    case.termination_reason = reason
    for item in case.items.exclude(state__in=FINISHED_ITEM_STATES).select_for_update():
        from_state = item.state
        item.state = ItemState.WITHDRAWN
        item.withdrawal_reason = _("Case terminated")
        _stop_item_clock(item, note=item.withdrawal_reason)
        item.save()
        record_ledger(case=case, item=item, by=by, role=role, action="withdraw",
                from_state=from_state, to_state=item.state, reason=item.withdrawal_reason)
    _finish_case(case, by, role, action, reason=note, termination_reason=reason)
    notify(recipients=case_company_users(case), case=case, event="case_terminated",
           subject=_case_subject(case, _("Service terminated")),
           body=f"{TerminationReason(reason).label}\n{note}".strip())
    return case


def _unfinished_items(case):
    return case.items.exclude(state__in=FINISHED_ITEM_STATES)


def _running_clocks(case):
    """The case's items whose clock has started and not stopped, locked."""
    items = list(
        CaseItem.objects.filter(case=case, state__in=item_clock.RUNNING_STATES,
                                accepted_at__isnull=False)
        .select_for_update(of=("self",)).select_related("department__agency")
        .order_by("pk")
    )
    for item in items:
        item.case = case
    return items


@transaction.atomic
def record_handover(*, case, by, method, tracking_number=""):
    action, case, role = _begin_case_action(case, by, "record_handover")
    if _unfinished_items(case).exists():
        raise InvalidTransition(_("Results can be handed over once every item is finished."))
    if method not in HandoverMethod.values:
        raise ValidationError({"method": _("Choose how the results were handed over.")})
    tracking_number = (tracking_number or "").strip()
    if method == HandoverMethod.MAIL and not tracking_number:
        raise ValidationError({"tracking_number": _("Enter the express tracking number.")})
    case.handover_method = method
    case.handover_tracking_number = tracking_number
    case.handed_over_at = timezone.now()
    _finish_case(case, by, role, action, method=method, tracking_number=tracking_number)
    notify(recipients=case_company_users(case), case=case, event="results_handed_over",
           subject=_case_subject(case, _("Your approval results have been handed over")),
           body=tracking_number)
    return case


@transaction.atomic
def confirm_completion(*, case, by):
    action, case, role = _begin_case_action(case, by, "confirm_completion")
    contact = CompanyContact.objects.filter(company_id=case.project.company_id, user=by).first()
    if contact is None or not contact.is_representative:
        raise NotAllowed(_("Only the company's representative may sign the completion sheet."))
    if _unfinished_items(case).exists():
        raise InvalidTransition(_("The case can be completed once every item is finished."))
    if case.handed_over_at is None:
        raise InvalidTransition(_("The results have not been handed over yet."))
    case.completed_at = timezone.now()
    case.completion_confirmed_by = contact
    _finish_case(case, by, role, action, signed_by=contact.name)
    notify(recipients=[case.specialist, *staff_with_role_over(case.agency,
                                                                 Role.CHIEF_SPECIALIST)],
           case=case, event="case_completed",
           subject=_case_subject(case, _("Completion sheet signed")))
    return case


# ----------------------------------------------------------------------------- items


def _item_subject(item, text):
    return f"[{item.case.number}] {item.matter.name}: {text}"


@transaction.atomic
def start_preparing(*, item, by):
    action, item, role = _begin_item_action(item, by, "start_preparing")
    return _finish_item(item, by, role, action)


@transaction.atomic
def upload_item_material(*, item, by, file, title=""):
    action, item, role = _begin_item_action(item, by, "upload_material")
    document = store_document(case=item.case, item=item, kind=DocumentKind.MATERIAL, file=file,
                              by=by, title=title)
    _finish_item(item, by, role, action, document=document.pk, title=document.title,
                 version=document.version)
    return document


@transaction.atomic
def pass_review(*, item, by, note=""):
    action, item, role = _begin_item_action(item, by, "pass_review")
    if item.materials and not item.documents.filter(kind=DocumentKind.MATERIAL).exists():
        raise ValidationError(_("Upload the materials before the formal review."))
    return _finish_item(item, by, role, action, reason=note)


@transaction.atomic
def return_to_preparing(*, item, by, reason):
    action, item, role = _begin_item_action(item, by, "return_to_preparing")
    reason = required_text(reason, "reason", _("Say what is missing or wrong."))
    _finish_item(item, by, role, action, reason=reason)
    notify(recipients=case_company_users(item.case), case=item.case, event="materials_returned",
           subject=_item_subject(item, _("materials need more work")), body=reason)
    return item


@transaction.atomic
def push_item(*, item, by):
    action, item, role = _begin_item_action(item, by, "push")
    waiting = [p.matter.name for p in item.prerequisites.select_related("matter")
               if p.state != ItemState.APPROVED]
    if waiting:
        raise InvalidTransition(
            _("This item waits for: %(items)s.") % {"items": "、".join(waiting)}
        )
    item.pushed_at = timezone.now()
    _finish_item(item, by, role, action, department=item.department_id)
    notify(recipients=department_representatives(item.department_id), case=item.case,
           event="item_pushed",
           subject=_item_subject(item, _("pushed to your department")))
    return item


@transaction.atomic
def accept_item(*, item, by):
    action, item, role = _begin_item_action(item, by, "accept")
    item.accepted_at = timezone.now()
    item_clock.refresh_clock(item, running=True)
    _finish_item(item, by, role, action, **_clock_details(item))
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="item_accepted", subject=_item_subject(item, _("accepted by the department")),
           body=_("The time limit runs until %(date)s.") % {"date": item.due_date.isoformat()},
           context={"item": item.matter.name, "due_date": item.due_date.isoformat()})
    return item


@transaction.atomic
def request_supplement(*, item, by, reason, due_date=None):
    action, item, role = _begin_item_action(item, by, "request_supplement")
    reason = required_text(reason, "reason", _("Say which material is missing."))
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    request = SupplementRequest.objects.create(item=item, reason=reason, due_date=due_date,
                                               requested_by=by)
    _open_pause(item, cause=PauseCause.SUPPLEMENT, attributed_to=PauseAttribution.COMPANY,
                note=reason)
    item_clock.refresh_clock(item)
    _finish_item(item, by, role, action, reason=reason,
                 due_date=due_date.isoformat() if due_date else None, **_clock_details(item))
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="supplement_requested",
           subject=_item_subject(item, _("the department asks for more material")),
           body=reason)
    return request


@transaction.atomic
def supply_supplement(*, item, by, answer="", files=()):
    action, item, role = _begin_item_action(item, by, "supply_supplement")
    answer = (answer or "").strip()
    files = [f for f in files if f]
    if not answer and not files:
        raise ValidationError(_("Upload the requested material or write an answer."))
    for f in files:
        check_upload(f)
    documents = [
        store_document(case=item.case, item=item, kind=DocumentKind.SUPPLEMENT, file=f, by=by,
                       title=_("Supplement: %(name)s") % {"name": f.name})
        for f in files
    ]
    request = item.supplement_requests.filter(supplied_at__isnull=True).first()
    if request is not None:
        request.supplied_at = timezone.now()
        request.supplied_by = by
        request.answer = answer
        request.save()
    _close_pauses(item, causes=[PauseCause.SUPPLEMENT], note=answer)
    item_clock.refresh_clock(item)
    _finish_item(item, by, role, action, reason=answer, documents=[d.pk for d in documents],
                 **_clock_details(item))
    notify(recipients=department_representatives(item.department_id), case=item.case,
           event="supplement_supplied", subject=_item_subject(item, _("supplement supplied")))
    return item


@transaction.atomic
def approve_item(*, item, by, result_number, result_file):
    action, item, role = _begin_item_action(item, by, "approve")
    item.result_number = required_text(
        result_number, "result_number", _("Enter the number of the approval document.")
    )
    if result_file is None:
        raise ValidationError({"result_file": _("Attach the approval document.")})
    item.result_document = store_document(case=item.case, item=item, kind=DocumentKind.RESULT,
                                          file=result_file, by=by, title=item.result_number)
    item.decided_at = timezone.now()
    _stop_item_clock(item, note=_("Decided"))
    _finish_item(item, by, role, action, result_number=item.result_number,
                 document=item.result_document.pk, days_used=item.days_used)
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="item_approved",
           subject=_item_subject(item, _("approved, document %(number)s")
                                 % {"number": item.result_number}))
    return item


@transaction.atomic
def refuse_item(*, item, by, reason):
    action, item, role = _begin_item_action(item, by, "refuse")
    item.refusal_reason = required_text(reason, "reason", _("Please state the legal reason."))
    item.decided_at = timezone.now()
    _stop_item_clock(item, note=_("Decided"))
    _finish_item(item, by, role, action, reason=item.refusal_reason, days_used=item.days_used)
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="item_refused", subject=_item_subject(item, _("refused")),
           body=item.refusal_reason)
    return item


@transaction.atomic
def withdraw_item(*, item, by, reason):
    action, item, role = _begin_item_action(item, by, "withdraw")
    item.withdrawal_reason = required_text(reason, "reason", _("Please state why."))
    notify_department = item.state in {ItemState.PUSHED, ItemState.ACCEPTED,
                                       ItemState.SUPPLEMENT_REQUESTED}
    _stop_item_clock(item, note=item.withdrawal_reason)
    _finish_item(item, by, role, action, reason=item.withdrawal_reason,
                 days_used=item.days_used)
    if notify_department:
        notify(recipients=department_representatives(item.department_id), case=item.case,
               event="item_withdrawn", subject=_item_subject(item, _("withdrawn")),
               body=item.withdrawal_reason)
    return item


# ------------------------------------------------------------------ the item's clock


def _special_procedure(item):
    return item.pauses.filter(cause=PauseCause.SPECIAL_PROCEDURE, ended_at__isnull=True).first()


@transaction.atomic
def start_special_procedure(*, item, by, kind, reason):
    """听证、检验、检测、鉴定、专家评审 …: time the law does not count (行政许可法 §45)."""
    action, item, role = _begin_item_action(item, by, "start_special_procedure")
    if _special_procedure(item) is not None:
        raise InvalidTransition(_("Already done: a special procedure is already running."))
    if kind not in SpecialProcedureKind.values:
        raise ValidationError({"kind": _("Choose the special procedure.")})
    reason = required_text(reason, "reason", _("Say why the special procedure is needed."))
    _open_pause(item, cause=PauseCause.SPECIAL_PROCEDURE,
                attributed_to=PauseAttribution.DEPARTMENT, kind=kind, note=reason)
    item_clock.refresh_clock(item)
    _finish_item(item, by, role, action, reason=reason, special_procedure=kind,
                 **_clock_details(item))
    label = SpecialProcedureKind(kind).label
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="special_procedure_started",
           subject=_item_subject(item, _("special procedure: %(kind)s") % {"kind": label}),
           body=_("The time limit is paused while it runs (行政许可法 §45).\n%(reason)s")
           % {"reason": reason},
           context={"item": item.matter.name, "kind": label, "reason": reason})
    return item


@transaction.atomic
def end_special_procedure(*, item, by, note):
    action, item, role = _begin_item_action(item, by, "end_special_procedure")
    pause = _special_procedure(item)
    if pause is None:
        raise InvalidTransition(_("No special procedure is running."))
    note = required_text(note, "note", _("Record the outcome of the special procedure."))
    pause.ended_at = timezone.now()
    pause.end_note = note
    pause.save(update_fields=["ended_at", "end_note", "updated_at"])
    item_clock.refresh_clock(item)
    _finish_item(item, by, role, action, reason=note, special_procedure=pause.kind,
                 **_clock_details(item))
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="special_procedure_ended",
           subject=_item_subject(item, _("special procedure finished; the time limit runs "
                                         "until %(date)s") % {"date": item.due_date}),
           body=note, context={"item": item.matter.name, "reason": note})
    return item


@transaction.atomic
def extend_item(*, item, by, days, reason):
    """延长期限: once per item, with a reason, within the legal limit (行政许可法 §42)."""
    action, item, role = _begin_item_action(item, by, "extend")
    if item.extended_days:
        raise InvalidTransition(_("Already done: the time limit has already been extended "
                                  "once."))
    reason = required_text(reason, "reason", _("State the reason for the extension."))
    allowed = item_clock.extension_allowance(item)
    if not days or days < 1:
        raise ValidationError({"days": _("Extend by at least one day.")})
    if allowed.days == 0:
        raise ValidationError({"days": allowed.why})
    if days > allowed.days:
        raise ValidationError({"days": _("At most %(days)d days: %(why)s")
                                       % {"days": allowed.days, "why": allowed.why}})
    item.extended_days = days
    item.extension_reason = reason
    item.extended_at = timezone.now()
    item_clock.refresh_clock(item)
    _finish_item(item, by, role, action, reason=reason, extended_days=days,
                 **_clock_details(item))
    notify(recipients=[item.case.specialist, *case_company_users(item.case)], case=item.case,
           event="item_extended",
           subject=_item_subject(item, _("time limit extended by %(days)d days to %(date)s")
                                 % {"days": days, "date": item.due_date}),
           body=reason, context={"item": item.matter.name, "reason": reason, "days": days})
    return item


# How many items a warning digest lists by name; the rest are counted.
DIGEST_ITEMS = 30
_DIGEST_ORDER = {WarningLevel.RED: 0, WarningLevel.YELLOW: 1, WarningLevel.GREEN: 2}


def announce_warning_changes(changes):
    """One message per person for a scan's changes of light, not one per item: the specialist
    of each case and the representatives of each item's department read which items turned
    yellow or red (or green again). Written in the caller's transaction."""
    from bangban.accounts.models import User

    if not changes:
        return
    representatives = {}
    for department_id, user_id in Membership.objects.filter(
            role=Role.DEPARTMENT_REPRESENTATIVE, user__is_active=True,
            department_id__in={c.department_id for c in changes},
    ).values_list("department_id", "user_id"):
        representatives.setdefault(department_id, set()).add(user_id)
    by_user = {}
    for change in changes:
        for user_id in {change.specialist_id, *representatives.get(change.department_id, ())}:
            if user_id is not None:
                by_user.setdefault(user_id, []).append(change)
    users = User.objects.filter(is_active=True).in_bulk(list(by_user))
    # A digest about one case belongs to it (its delivery page shows it); others to none.
    single = {user_id: mine[0].case_id for user_id, mine in by_user.items()
              if len({c.case_id for c in mine}) == 1}
    cases = Case.objects.select_related(
        "project__company", "agency", "specialist").in_bulk(set(single.values()))
    statuses = {  # translated once: a scan may write thousands of lines
        WarningLevel.RED: _("overdue since %(date)s"), WarningLevel.YELLOW: _("due soon: %(date)s"),
        WarningLevel.GREEN: _("on time again, due %(date)s")}
    notify_each([
        _warning_digest(users[user_id], mine, cases.get(single.get(user_id)), statuses)
        for user_id, mine in by_user.items() if user_id in users
    ])


def _warning_digest(user, changes, case, statuses):
    counts = {level: sum(c.new_level == level for c in changes) for level in _DIGEST_ORDER}
    parts = []
    if counts[WarningLevel.RED]:
        parts.append(ngettext("%(count)d item overdue", "%(count)d items overdue",
                              counts[WarningLevel.RED]) % {"count": counts[WarningLevel.RED]})
    if counts[WarningLevel.YELLOW]:
        parts.append(ngettext("%(count)d item due soon", "%(count)d items due soon",
                              counts[WarningLevel.YELLOW]) % {"count": counts[WarningLevel.YELLOW]})
    if counts[WarningLevel.GREEN]:
        parts.append(ngettext("%(count)d item on time again", "%(count)d items on time again",
                              counts[WarningLevel.GREEN]) % {"count": counts[WarningLevel.GREEN]})
    subject = _("Warning lights: %(summary)s") % {
        "summary": pgettext("list separator", ", ").join(parts)}
    ordered = sorted(changes, key=lambda c: (_DIGEST_ORDER.get(c.new_level, 3), c.due_date
                                             or datetime.date.max, c.case_number, c.item_id))
    lines = [_warning_line(change, statuses) for change in ordered[:DIGEST_ITEMS]]
    if len(ordered) > DIGEST_ITEMS:
        lines.append(_("… and %(count)d more: see the workbench.") % {
            "count": len(ordered) - DIGEST_ITEMS})
    return Message(recipients=[user], event="warning_digest", subject=subject,
                   body="\n".join(lines), case=case, context={
                       "overdue": counts[WarningLevel.RED], "due_soon": counts[WarningLevel.YELLOW],
                       "on_time": counts[WarningLevel.GREEN]})


def _warning_line(change, statuses):
    status = statuses[change.new_level] % {
        "date": change.due_date.isoformat() if change.due_date else ""}
    return f"[{change.case_number}] {change.matter_name}: {status}"


CASE_ACTION_SERVICES = {
    "edit_application": update_application,
    "submit": submit_application,
    "accept": accept_application,
    "reject": reject_application,
    "record_agreement": record_agreement,
    "generate_plan": generate_plan,
    "edit_plan": update_item_plan,
    "publish_plan": publish_plan,
    "log_contact": log_contact,
    "reassign_specialist": reassign_specialist,
    "suspend": suspend_case,
    "resume": resume_case,
    "terminate": terminate_case,
    "record_handover": record_handover,
    "confirm_completion": confirm_completion,
}

ITEM_ACTION_SERVICES = {
    "start_preparing": start_preparing,
    "upload_material": upload_item_material,
    "pass_review": pass_review,
    "return_to_preparing": return_to_preparing,
    "push": push_item,
    "accept": accept_item,
    "request_supplement": request_supplement,
    "supply_supplement": supply_supplement,
    "approve": approve_item,
    "refuse": refuse_item,
    "withdraw": withdraw_item,
    "start_special_procedure": start_special_procedure,
    "end_special_procedure": end_special_procedure,
    "extend": extend_item,
}

assert set(CASE_ACTION_SERVICES) == set(CASE_ACTIONS)
assert set(ITEM_ACTION_SERVICES) == set(ITEM_ACTIONS)
