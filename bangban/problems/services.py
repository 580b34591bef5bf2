"""Every change to a problem: `raise_problem`, which creates one, and one function per action of
`workflow.py`.

Each runs in one transaction: it locks the problem row (`select_for_update`), checks the actor's
role and the problem's state and level against the workflow table, validates, saves, appends an
entry to the case's ledger and writes the notifications. A second click, or a second worker at
the same moment, finds the new state and gets a clear "already done" instead of a double action;
`ProblemEscalation`'s one-row-per-level constraint backs that up for escalations.

The worker acts as the system user (`bangban.accounts.system.system_user`) with the role
`SYSTEM`; it may only escalate what is due: an open problem past its level's due date.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.accounts.recipients import (
    case_company_users,
    department_representatives,
    staff_with_role_over,
)
from bangban.cases.models import Case, CaseItem
from bangban.cases.services import record_ledger
from bangban.cases.workflow import CLOSED_CASE_STATES, CaseState
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.validation import required_text
from bangban.deadlines.workdays import add_working_days
from bangban.documents.models import DocumentKind
from bangban.documents.services import store_document
from bangban.notifications.services import notify
from bangban.problems.models import FeedbackLetter, Problem, ProblemEscalation
from bangban.problems.selectors import policy_for, problem_roles, raisable_departments
from bangban.problems.workflow import (
    PROBLEM_ACTIONS,
    RAISING_ROLES,
    SYSTEM,
    SYSTEM_ACTIONS,
    TOP_LEVEL,
    Closure,
    ProblemLevel,
    ProblemState,
)

ONE_DAY = datetime.timedelta(days=1)
# When a user holds several roles towards a problem, the ledger names the most specific one.
ROLE_PRECEDENCE = [SYSTEM, Role.APPLICANT, Role.DEPARTMENT_REPRESENTATIVE, Role.SPECIALIST,
                   Role.CHIEF_SPECIALIST, Role.SUPERVISOR]
# A problem can be raised while the service runs, not on a draft or a finished case.
OPEN_CASE_STATES = frozenset(set(CaseState) - CLOSED_CASE_STATES - {CaseState.DRAFT})
TITLE_MAX = Problem._meta.get_field("title").max_length
ADDRESSEE_MAX = FeedbackLetter._meta.get_field("addressee").max_length


# ---------------------------------------------------------------------------- helpers


def _today(today):
    return today or timezone.localdate()


def _level_people(problem, level):
    """Who is responsible at `level` (Hunan 三(二)3(3)): the specialist and the department; from
    level 2 the chiefs; from level 4 the leadership (supervisors) too."""
    people = [problem.case.specialist, *department_representatives(problem.department_id)]
    if level >= ProblemLevel.CHIEF:
        people += staff_with_role_over(problem.agency, Role.CHIEF_SPECIALIST)
    if level >= ProblemLevel.LEADERSHIP_MEETING:
        people += staff_with_role_over(problem.agency, Role.SUPERVISOR)
    return people


def _one_line(value, field, message, limit):
    value = required_text(value, field, message)
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def _record(problem, *, by, role, action, reason="", **details):
    # The item's (else the case's) state is recorded unchanged on both sides, like supervision:
    # a problem changes itself, never the case or the item.
    state = problem.item.state if problem.item_id else problem.case.state
    return record_ledger(
        case=problem.case, item=problem.item, by=by, role=role, action=f"problem_{action}",
        from_state=state, to_state=state, reason=reason,
        problem=problem.number, level=int(problem.level), state=problem.state, **details,
    )


def _subject(problem, text):
    return f"[{problem.number}] {problem.title}: {text}"


def _due_on(problem, level, start):
    days = policy_for(problem.agency).days_for(level)
    return add_working_days(start, days, agency=problem.agency)


def _schedule(problem):
    """The day the worker escalates the problem, or None when nothing automatic is left."""
    if problem.state == ProblemState.OPEN and problem.level != TOP_LEVEL:
        return problem.due_on + ONE_DAY
    return None


def _lock_problem(problem):
    return (
        Problem.objects.select_for_update(of=("self",))
        .select_related("agency", "case__agency", "case__project__company", "case__specialist",
                        "item", "department")
        .get(pk=problem.pk)
    )


def _pick_role(allowed):
    return next(r for r in ROLE_PRECEDENCE if r in allowed)


def _describe(problem):
    return f"{problem.get_level_display()} · {problem.get_state_display()}"


def _begin(problem, by, name, today):
    """Locks the problem and checks that `by` may take action `name` on it now."""
    action = PROBLEM_ACTIONS[name]
    problem = _lock_problem(problem)
    roles = problem_roles(by, problem)
    allowed = action.roles & roles
    if not allowed:
        raise NotAllowed(
            _("You are not allowed to “%(action)s” here.") % {"action": action.label}
        )
    role = _pick_role(allowed)
    if problem.state not in action.sources or problem.level not in action.levels:
        if problem.state == action.target_state and not action.raises_level:
            raise InvalidTransition(_("Already done: the problem is already “%(state)s”.")
                                    % {"state": _describe(problem)})
        raise InvalidTransition(
            _("“%(action)s” is not possible while the problem is “%(state)s”.")
            % {"action": action.label, "state": _describe(problem)}
        )
    if role == SYSTEM and (name not in SYSTEM_ACTIONS or problem.state != ProblemState.OPEN
                           or problem.next_escalation_on is None
                           or problem.next_escalation_on > _today(today)):
        raise InvalidTransition(_("Already done: the problem is not due for escalation."))
    return action, problem, role


def _finish(problem, action, *, by, role, reason="", **details):
    problem.full_clean()
    problem.save()
    _record(problem, by=by, role=role, action=action.name, reason=reason, **details)
    return problem


def record_on_agenda(problem, *, meeting, by, role):
    """Writes in the problem's history that `meeting` was convened on it. Not a transition:
    the meeting's convening calls it, in its own transaction, on the locked problem."""
    return _record(problem, by=by, role=role, action="on_agenda", reason=meeting.title,
                   meeting=meeting.pk, kind=meeting.kind,
                   starts_at=timezone.localtime(meeting.starts_at).isoformat(timespec="minutes"))


# ---------------------------------------------------------------------------- raise


@transaction.atomic
def raise_problem(*, case, by, title, description, requested_outcome, item=None,
                  department=None, attachment=None, today=None):
    """意见反馈表: a problem on `case` (optionally one of its items), routed to `department` (the
    item's when an item is named), at level 1 with the policy's working days."""
    today = _today(today)
    case = (Case.objects.select_for_update(of=("self",))
            .select_related("agency", "project__company", "specialist").get(pk=case.pk))
    roles = case_roles(by, case) & RAISING_ROLES
    if not roles:
        raise NotAllowed(_("You are not allowed to raise a problem on this case."))
    role = _pick_role(roles)
    if case.state not in OPEN_CASE_STATES:
        raise InvalidTransition(_("A problem can only be raised while the case is being "
                                  "served (not on a draft or a closed case)."))
    if item is not None:
        item = CaseItem.objects.select_related("department").filter(pk=item.pk,
                                                                     case=case).first()
        if item is None:
            raise ValidationError({"item": _("The item belongs to another case.")})
        if department is not None and department.pk != item.department_id:
            raise ValidationError({"department": _("The problem goes to the item's department "
                                                   "(%(department)s).")
                                   % {"department": item.department.name}})
        department = item.department
    if department is None:
        raise ValidationError({"department": _("Choose the department the problem concerns.")})
    if not raisable_departments(case).filter(pk=department.pk).exists():
        raise ValidationError({"department": _("The department does not serve this case.")})
    problem = Problem(
        number=f"WT-{uuid.uuid4().hex[:20]}", agency=case.agency, case=case, item=item,
        department=department,
        title=_one_line(title, "title", _("Give the problem a short title."), TITLE_MAX),
        description=required_text(description, "description",
                                  _("Describe the problem: what happened and where it is "
                                    "stuck.")),
        requested_outcome=required_text(requested_outcome, "requested_outcome",
                                        _("Say what the company wants done.")),
        raised_by=by, raised_as=role, raised_at=timezone.now(),
        state=ProblemState.OPEN, level=ProblemLevel.SPECIALIST,
    )
    problem.due_on = _due_on(problem, problem.level, today)
    problem.next_escalation_on = _schedule(problem)
    problem.full_clean(exclude=["number"])
    problem.save()
    problem.number = f"WT{timezone.localtime(problem.raised_at):%Y}{problem.pk:06d}"
    problem.save(update_fields=["number"])
    if attachment is not None:
        try:
            document = store_document(case=case, kind=DocumentKind.OTHER, file=attachment,
                                      by=by, item=item, title=f"{problem.number} {problem.title}")
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from None
        problem.attachments.add(document)
    _record(problem, by=by, role=role, action="raise", reason=problem.description,
            due_on=problem.due_on.isoformat())
    notify(recipients=[*department_representatives(department.pk), case.specialist],
           case=case, event="problem_raised",
           subject=_subject(problem, _("new problem, answer by %(date)s")
                            % {"date": problem.due_on.isoformat()}),
           body=f"{problem.description}\n\n{problem.requested_outcome}",
           context={"problem_number": problem.number, "due_on": problem.due_on.isoformat()})
    return problem


# ---------------------------------------------------------------------------- actions


@transaction.atomic
def answer_problem(*, problem, by, answer):
    """The department's answer (or the one the chief wrote down for it). It reaches the company
    only when the specialist passes it on (`relay_answer`)."""
    action, problem, role = _begin(problem, by, "answer", None)
    problem.answer = required_text(answer, "answer",
                                   _("Write the answer: what will be done, and by when."))
    problem.answered_at = timezone.now()
    problem.answered_by = by
    problem.state = action.target_state
    problem.next_escalation_on = _schedule(problem)
    _finish(problem, action, by=by, role=role, reason=problem.answer)
    notify(recipients=[problem.case.specialist], case=problem.case, event="problem_answered",
           subject=_subject(problem, _("the department answered; pass the answer on to the "
                                       "company")),
           body=problem.answer, context={"problem_number": problem.number})
    return problem


@transaction.atomic
def relay_answer(*, problem, by, answer):
    """由首席服务专员统一回复项目单位 (Qujiang 第十九条): the specialist passes the answer on to
    the company, in their own words if need be."""
    action, problem, role = _begin(problem, by, "relay", None)
    problem.relayed_answer = required_text(answer, "answer",
                                           _("Write the answer the company will read."))
    problem.relayed_at = timezone.now()
    problem.relayed_by = by
    problem.state = action.target_state
    _finish(problem, action, by=by, role=role, reason=problem.relayed_answer)
    notify(recipients=case_company_users(problem.case), case=problem.case,
           event="problem_answer_relayed",
           subject=_subject(problem, _("your problem has been answered")),
           body=problem.relayed_answer, context={"problem_number": problem.number})
    return problem


@transaction.atomic
def escalate_problem(*, problem, by, reason="", today=None):
    """One level up, with that level's due date: by the specialist or the chief with a reason,
    or by the worker when the level's due date has passed unanswered."""
    action, problem, role = _begin(problem, by, "escalate", today)
    today = _today(today)
    reason = (reason or "").strip() or (
        _("Not answered by the due date.") if role == SYSTEM else "")
    if not reason:
        raise ValidationError({"reason": _("Say why the problem needs the next level.")})
    from_level = problem.level
    problem.level = ProblemLevel(from_level + 1)
    problem.state = action.target_state
    problem.due_on = _due_on(problem, problem.level, today)
    problem.next_escalation_on = _schedule(problem)
    try:
        with transaction.atomic():
            ProblemEscalation.objects.create(
                problem=problem, from_level=from_level, to_level=problem.level,
                at=timezone.now(), by=by, automatic=role == SYSTEM, reason=reason,
                due_on=problem.due_on,
            )
    except IntegrityError:
        raise InvalidTransition(_("Already done: the problem has reached this level.")) from None
    _finish(problem, action, by=by, role=role, reason=reason, from_level=int(from_level),
            due_on=problem.due_on.isoformat())
    notify(recipients=[*_level_people(problem, problem.level), *case_company_users(problem.case)],
           case=problem.case, event="problem_escalated",
           subject=_subject(problem, _("escalated to %(level)s, due by %(date)s")
                            % {"level": problem.get_level_display(),
                               "date": problem.due_on.isoformat()}),
           body=reason, context={"problem_number": problem.number,
                                 "level": problem.get_level_display(),
                                 "due_on": problem.due_on.isoformat()})
    return problem


@transaction.atomic
def send_feedback_letter(*, problem, by, addressee, content, sent_on=None):
    """问题反馈函: the request is outside the service's scope and goes to the body that can
    settle it. The company is told; the problem waits for its confirmation or the chief."""
    action, problem, role = _begin(problem, by, "feedback_letter", None)
    addressee = _one_line(addressee, "addressee", _("Name the body the letter is sent to."),
                          ADDRESSEE_MAX)
    content = required_text(content, "content", _("Write the letter."))
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The letter cannot be sent in the future.")})
    if sent_on < timezone.localtime(problem.raised_at).date():
        raise ValidationError({"sent_on": _("The letter cannot be sent before the problem was "
                                            "raised.")})
    letter = FeedbackLetter(number=f"FK-{uuid.uuid4().hex[:20]}", problem=problem,
                            agency=problem.agency, addressee=addressee, content=content,
                            sent_on=sent_on, sent_by=by)
    letter.full_clean(exclude=["number"])
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        raise InvalidTransition(_("Already done: a feedback letter has been sent for this "
                                  "problem.")) from None
    letter.number = f"FK{sent_on:%Y}{letter.pk:06d}"
    letter.save(update_fields=["number"])
    problem.state = action.target_state
    problem.next_escalation_on = _schedule(problem)
    _finish(problem, action, by=by, role=role, reason=content, letter=letter.number,
            addressee=addressee)
    notify(recipients=case_company_users(problem.case), case=problem.case,
           event="problem_feedback_letter",
           subject=_subject(problem, _("passed on to %(body)s") % {"body": addressee}),
           body=_("Your request is outside the assistance service's scope and was passed on to "
                  "%(body)s by feedback letter %(letter)s.")
           % {"body": addressee, "letter": letter.number},
           context={"problem_number": problem.number, "letter_number": letter.number})
    return problem


@transaction.atomic
def confirm_resolution(*, problem, by):
    """The company confirms the problem is resolved: it is closed."""
    action, problem, role = _begin(problem, by, "confirm", None)
    problem.state = action.target_state
    problem.closure = Closure.CONFIRMED
    problem.closed_at = timezone.now()
    problem.closed_by = by
    problem.next_escalation_on = None
    _finish(problem, action, by=by, role=role)
    notify(recipients=[problem.case.specialist, *department_representatives(problem.department_id)],
           case=problem.case, event="problem_confirmed",
           subject=_subject(problem, _("the company confirmed the problem is resolved")),
           context={"problem_number": problem.number})
    return problem


@transaction.atomic
def reopen_problem(*, problem, by, reason, today=None):
    """The company says the answer does not resolve the problem: it waits for an answer again
    at the same level, with the level's due date; the worker escalates it once that is past."""
    action, problem, role = _begin(problem, by, "reopen", today)
    reason = required_text(reason, "reason", _("Say what is still not resolved."))
    problem.state = action.target_state
    problem.next_escalation_on = _schedule(problem)
    _finish(problem, action, by=by, role=role, reason=reason)
    notify(recipients=[problem.case.specialist, *department_representatives(problem.department_id)],
           case=problem.case, event="problem_reopened",
           subject=_subject(problem, _("the company says the problem is not resolved")),
           body=reason, context={"problem_number": problem.number})
    return problem


@transaction.atomic
def close_problem(*, problem, by, reason):
    """The chief closes the problem without the company's confirmation, with the reason (the
    company cannot be reached, it withdrew the request, …)."""
    action, problem, role = _begin(problem, by, "close", None)
    problem.closing_reason = required_text(reason, "reason",
                                           _("Give the reason for closing without the "
                                             "company's confirmation."))
    problem.state = action.target_state
    problem.closure = Closure.WITH_REASON
    problem.closed_at = timezone.now()
    problem.closed_by = by
    problem.next_escalation_on = None
    _finish(problem, action, by=by, role=role, reason=problem.closing_reason)
    notify(recipients=[problem.case.specialist, *department_representatives(problem.department_id),
                       *case_company_users(problem.case)],
           case=problem.case, event="problem_closed",
           subject=_subject(problem, _("problem closed")),
           body=problem.closing_reason, context={"problem_number": problem.number})
    return problem


PROBLEM_ACTION_SERVICES = {
    "answer": answer_problem,
    "relay": relay_answer,
    "escalate": escalate_problem,
    "feedback_letter": send_feedback_letter,
    "confirm": confirm_resolution,
    "reopen": reopen_problem,
    "close": close_problem,
}

assert set(PROBLEM_ACTION_SERVICES) == set(PROBLEM_ACTIONS)
