"""Every change to a supervision notice: one function per action of `workflow.py`, plus
`issue_notice`, which creates one.

Each runs in one transaction: it locks the notice row (`select_for_update`; issuing locks the
case and the item, in the same order as the case services), checks the actor's role and the
notice's state and level against the workflow table, validates, saves, appends a ledger entry
to the case (`record_ledger`, which queues its webhook deliveries) and writes the
notifications. A second click, or a second worker scanning at the same moment, finds the new
state and gets a clear "already done" instead of a double action.

The scan acts as the system user (`bangban.accounts.system.system_user`), with the role
`SYSTEM`; it may only escalate or refer what is due: an unanswered notice past its deadline.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.accounts.recipients import department_representatives, staff_with_role_over
from bangban.accounts.system import is_system_user
from bangban.cases.models import Case, CaseItem
from bangban.cases.services import record_ledger
from bangban.cases.workflow import CaseState, ItemState
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.validation import required_text
from bangban.deadlines.workdays import add_working_days
from bangban.notifications.services import notify
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.selectors import notice_roles, policy_for
from bangban.supervision.workflow import (
    NOTICE_ACTIONS,
    SYSTEM,
    SYSTEM_ACTIONS,
    NoticeLevel,
    NoticeState,
    ReferralBody,
)

ONE_DAY = datetime.timedelta(days=1)
# When a user holds several roles towards a notice, the ledger names the most specific one.
ROLE_PRECEDENCE = [SYSTEM, Role.DEPARTMENT_REPRESENTATIVE, Role.CHIEF_SPECIALIST,
                   Role.SUPERVISOR, Role.SPECIALIST]
# Who may issue a notice by hand (the scan issues them as SYSTEM).
ISSUING_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST})


# ---------------------------------------------------------------------------- helpers


def _today(today):
    return today or timezone.localdate()


def _leadership(agency):
    """The agency's leadership: supervisors and chief specialists of it and the levels above."""
    return (staff_with_role_over(agency, Role.SUPERVISOR)
            + staff_with_role_over(agency, Role.CHIEF_SPECIALIST))


def _record(notice, *, by, role, action, reason="", **details):
    # The item's state is recorded unchanged on both sides, like a contact logged on a case:
    # supervision changes the notice, never the item.
    return record_ledger(
        case=notice.case, item=notice.item, by=by, role=role, action=f"supervision_{action}",
        from_state=notice.item.state, to_state=notice.item.state, reason=reason,
        notice=notice.number, level=notice.level, state=notice.state, **details,
    )


def _subject(notice, text):
    return f"[{notice.number}] {notice.item.matter.name}: {text}"


def _response_due(notice, start, policy):
    days = (policy.notice_response_days if notice.level == NoticeLevel.NOTICE
            else policy.escalated_response_days)
    return add_working_days(start, days, agency=notice.agency)


def _schedule(notice, policy):
    """The day the scan next acts on the notice, or None when nothing automatic is left."""
    if notice.state != NoticeState.OPEN:
        return None
    if notice.level == NoticeLevel.NOTICE or (
            notice.level == NoticeLevel.ESCALATED and policy.auto_refer):
        return notice.response_due + ONE_DAY
    return None


def _lock_notice(notice):
    return (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("agency", "case__agency", "case__project__company", "case__specialist",
                        "item__matter", "department")
        .get(pk=notice.pk)
    )


def _begin(notice, by, name, today):
    """Locks the notice and checks that `by` may take action `name` on it now."""
    action = NOTICE_ACTIONS[name]
    notice = _lock_notice(notice)
    roles = notice_roles(by, notice)
    allowed = action.roles & roles
    if not allowed:
        raise NotAllowed(
            _("You are not allowed to “%(action)s” here.") % {"action": action.label}
        )
    role = next(r for r in ROLE_PRECEDENCE if r in allowed)
    if notice.state not in action.sources or notice.level not in action.levels:
        done = (notice.level == action.target_level if action.target_level
                else notice.state == action.target_state)
        if done:
            raise InvalidTransition(_("Already done: the notice is already “%(state)s”.")
                                    % {"state": _describe(notice)})
        raise InvalidTransition(
            _("“%(action)s” is not possible while the notice is “%(state)s”.")
            % {"action": action.label, "state": _describe(notice)}
        )
    if role == SYSTEM and (name not in SYSTEM_ACTIONS or notice.state != NoticeState.OPEN
                           or notice.next_escalation_on is None
                           or notice.next_escalation_on > _today(today)):
        raise InvalidTransition(_("Already done: the notice is not due for escalation."))
    return action, notice, role


def _describe(notice):
    return f"{notice.get_level_display()} · {notice.get_state_display()}"


def _finish(notice, action, *, by, role, reason="", **details):
    notice.full_clean()
    notice.save()
    _record(notice, by=by, role=role, action=action.name, reason=reason, **details)
    return notice


# ---------------------------------------------------------------------------- issue


@transaction.atomic
def issue_notice(*, item, by, today=None):
    """督办单 for an overdue item, to its department's representatives, with a response
    deadline of the policy's working days. Issued once per missed due date: a second call (a
    second worker, a second click) finds it and raises InvalidTransition."""
    today = _today(today)
    system = is_system_user(by)
    case = (Case.objects.select_for_update(of=("self",)).select_related("agency", "project")
            .get(pk=item.case_id))
    item = (CaseItem.objects.select_for_update(of=("self",))
            .select_related("matter", "department").get(pk=item.pk))
    item.case = case
    if system:
        role = SYSTEM
    else:
        roles = case_roles(by, case) & ISSUING_ROLES
        if not roles:
            raise NotAllowed(_("You are not allowed to issue a supervision notice here."))
        role = next(r for r in ROLE_PRECEDENCE if r in roles)
    if not (item.state == ItemState.ACCEPTED and case.state == CaseState.IN_PROGRESS
            and item.due_date is not None and item.due_date < today):
        raise InvalidTransition(_("The item is not overdue."))
    existing = SupervisionNotice.objects.filter(item=item)
    if existing.filter(state__in=[NoticeState.OPEN, NoticeState.ANSWERED]).exists() or \
            existing.filter(item_due_date=item.due_date).exists():
        raise InvalidTransition(_("Already done: a supervision notice has been issued for "
                                  "this item."))
    policy = policy_for(case.agency)
    notice = SupervisionNotice(
        number=f"DB-{uuid.uuid4().hex[:20]}", agency=case.agency, case=case, item=item,
        department=item.department, level=NoticeLevel.NOTICE, state=NoticeState.OPEN,
        item_due_date=item.due_date, issued_at=timezone.now(), issued_by=by,
    )
    notice.response_due = _response_due(notice, today, policy)
    notice.next_escalation_on = _schedule(notice, policy)
    notice.full_clean(exclude=["number"])
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:
        raise InvalidTransition(_("Already done: a supervision notice has been issued for "
                                  "this item.")) from None
    notice.number = f"DB{timezone.localtime(notice.issued_at):%Y}{notice.pk:06d}"
    notice.save(update_fields=["number"])
    _record(notice, by=by, role=role, action="issue",
            item_due_date=item.due_date.isoformat(), response_due=notice.response_due.isoformat())
    notify(recipients=[*department_representatives(notice.department_id), case.specialist],
           case=case, event="supervision_notice_issued",
           subject=_subject(notice, _("supervision notice, reply by %(date)s")
                            % {"date": notice.response_due.isoformat()}),
           body=_("The item was due on %(due)s and is overdue. Please reply with the reason "
                  "and the date it will be decided by %(date)s.")
           % {"due": item.due_date.isoformat(), "date": notice.response_due.isoformat()},
           context={"notice_number": notice.number, "item": item.matter.name,
                    "response_due": notice.response_due.isoformat()})
    return notice


# ---------------------------------------------------------------------------- actions


@transaction.atomic
def reply_to_notice(*, notice, by, reply):
    """The department's answer: why the item is late and when it will be decided. Stops
    the escalation."""
    action, notice, role = _begin(notice, by, "reply", None)
    notice.reply = required_text(reply, "reply",
                                 _("Write the reply: why the item is late and when it will "
                                   "be decided."))
    notice.replied_at = timezone.now()
    notice.replied_by = by
    notice.state = action.target_state
    notice.next_escalation_on = None
    _finish(notice, action, by=by, role=role, reason=notice.reply)
    notify(recipients=[notice.case.specialist,
                       *staff_with_role_over(notice.agency, Role.CHIEF_SPECIALIST)],
           case=notice.case, event="supervision_notice_replied",
           subject=_subject(notice, _("the department replied to the supervision notice")),
           body=notice.reply, context={"notice_number": notice.number})
    return notice


@transaction.atomic
def return_reply(*, notice, by, reason, today=None):
    """The reply does not settle the matter: the notice is open again, with a new deadline at
    its level."""
    action, notice, role = _begin(notice, by, "return_reply", today)
    reason = required_text(reason, "reason", _("Say what the reply leaves unanswered."))
    policy = policy_for(notice.agency)
    notice.state = action.target_state
    notice.response_due = _response_due(notice, _today(today), policy)
    notice.next_escalation_on = _schedule(notice, policy)
    _finish(notice, action, by=by, role=role, reason=reason,
            response_due=notice.response_due.isoformat())
    notify(recipients=department_representatives(notice.department_id), case=notice.case,
           event="supervision_reply_returned",
           subject=_subject(notice, _("your reply was returned, reply again by %(date)s")
                            % {"date": notice.response_due.isoformat()}),
           body=reason, context={"notice_number": notice.number})
    return notice


@transaction.atomic
def escalate_notice(*, notice, by, note="", today=None):
    """升级督办: to the agency's leadership, with a new, shorter deadline."""
    action, notice, role = _begin(notice, by, "escalate", today)
    policy = policy_for(notice.agency)
    notice.level = action.target_level
    notice.state = action.target_state
    notice.escalated_at = timezone.now()
    notice.escalated_by = by
    notice.response_due = _response_due(notice, _today(today), policy)
    notice.next_escalation_on = _schedule(notice, policy)
    note = (note or "").strip() or (
        _("No reply by the deadline.") if role == SYSTEM else "")
    _finish(notice, action, by=by, role=role, reason=note,
            response_due=notice.response_due.isoformat())
    subject = _subject(notice, _("supervision notice escalated, reply by %(date)s")
                       % {"date": notice.response_due.isoformat()})
    notify(recipients=[*_leadership(notice.agency),
                       *department_representatives(notice.department_id),
                       notice.case.specialist],
           case=notice.case, event="supervision_notice_escalated", subject=subject, body=note,
           context={"notice_number": notice.number})
    return notice


@transaction.atomic
def refer_notice(*, notice, by, referred_to=None, note="", today=None):
    """The recorded referral to discipline inspection / audit (Binzhou 7.5.4). The notice stays
    open until a chief or supervisor closes it with the outcome."""
    action, notice, role = _begin(notice, by, "refer", today)
    policy = policy_for(notice.agency)
    referred_to = referred_to or policy.referral_body
    if referred_to not in ReferralBody.values:
        raise ValidationError({"referred_to": _("Choose the body the notice is referred to.")})
    note = (note or "").strip() or (
        _("Still no reply after escalation.") if role == SYSTEM else "")
    if not note:
        raise ValidationError({"note": _("Say why the notice is referred.")})
    notice.level = action.target_level
    notice.referred_to = referred_to
    notice.referred_at = timezone.now()
    notice.referred_by = by
    notice.referral_note = note
    notice.next_escalation_on = None
    _finish(notice, action, by=by, role=role, reason=note, referred_to=referred_to)
    notify(recipients=[*staff_with_role_over(notice.agency, Role.SUPERVISOR),
                       *department_representatives(notice.department_id)],
           case=notice.case, event="supervision_notice_referred",
           subject=_subject(notice, _("referred to %(body)s")
                            % {"body": notice.get_referred_to_display()}),
           body=note, context={"notice_number": notice.number})
    return notice


@transaction.atomic
def close_notice(*, notice, by, note):
    """The matter is settled (item decided, reply accepted, referral concluded)."""
    action, notice, role = _begin(notice, by, "close", None)
    notice.closing_note = required_text(note, "note", _("Say how the matter was settled."))
    notice.state = action.target_state
    notice.closed_at = timezone.now()
    notice.closed_by = by
    notice.next_escalation_on = None
    _finish(notice, action, by=by, role=role, reason=notice.closing_note)
    notify(recipients=[*department_representatives(notice.department_id), notice.case.specialist],
           case=notice.case, event="supervision_notice_closed",
           subject=_subject(notice, _("supervision notice closed")),
           body=notice.closing_note, context={"notice_number": notice.number})
    return notice


NOTICE_ACTION_SERVICES = {
    "reply": reply_to_notice,
    "return_reply": return_reply,
    "escalate": escalate_notice,
    "refer": refer_notice,
    "close": close_notice,
}

assert set(NOTICE_ACTION_SERVICES) == set(NOTICE_ACTIONS)
