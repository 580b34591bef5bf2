"""Walks every (state, level, action, role) combination of workflow.py through the services.

An allowed one must succeed and land in the table's target state (and the next level for an
escalation) with a ledger entry; a forbidden one must raise a DomainError and change nothing.
The system user may act only on an open problem that is due, which these problems are (due
yesterday).
"""

import datetime

import pytest

from bangban.accounts.models import Role
from bangban.accounts.system import system_user
from bangban.cases.models import LedgerEntry
from bangban.core.errors import DomainError
from bangban.problems import services
from bangban.problems.models import Problem
from bangban.problems.tests.conftest import TODAY, make_world
from bangban.problems.workflow import (
    PROBLEM_ACTIONS,
    SYSTEM,
    Closure,
    ProblemLevel,
    ProblemState,
    problem_actions_for,
)

ROLES = [Role.DEPARTMENT_REPRESENTATIVE, Role.SPECIALIST, Role.CHIEF_SPECIALIST,
         Role.SUPERVISOR, Role.APPLICANT, "outsider", "other_department", SYSTEM]

CALLS = {
    "answer": lambda p: dict(problem=p, answer="本周内出具审查意见"),
    "relay": lambda p: dict(problem=p, answer="住建局本周内出具审查意见"),
    "escalate": lambda p: dict(problem=p, reason="逾期未解决", today=TODAY),
    "feedback_letter": lambda p: dict(problem=p, addressee="区供电局", content="请研究",
                                      sent_on=TODAY),
    "confirm": lambda p: dict(problem=p),
    "reopen": lambda p: dict(problem=p, reason="仍未解决", today=TODAY),
    "close": lambda p: dict(problem=p, reason="企业联系不上"),
}


def _problem(world, state, level):
    yesterday = TODAY - datetime.timedelta(days=1)
    return Problem.objects.create(
        number=f"WT2025{world.case.pk:06d}", agency=world.case.agency, case=world.case,
        item=world.item, department=world.item.department, title="审查意见迟迟未出具",
        description="消防审查", requested_outcome="尽快出具", raised_by=world.applicant,
        raised_as=Role.APPLICANT,
        raised_at=datetime.datetime(2025, 2, 20, 9, 0, tzinfo=datetime.UTC),
        state=state, level=level, due_on=yesterday - datetime.timedelta(days=1),
        next_escalation_on=yesterday if state == ProblemState.OPEN
        and level != ProblemLevel.LEADERSHIP_MEETING else None,
        answer="已在办理" if state != ProblemState.OPEN else "",
        relayed_answer="已在办理" if state in (ProblemState.RELAYED, ProblemState.CLOSED) else "",
        closure=Closure.CONFIRMED if state == ProblemState.CLOSED else "",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", list(ProblemLevel))
@pytest.mark.parametrize("state", list(ProblemState))
@pytest.mark.parametrize("name", list(PROBLEM_ACTIONS))
def test_problem_action_matrix(name, state, level, role):
    world = make_world()
    problem = _problem(world, state, level)
    by = system_user() if role == SYSTEM else world.user(role)
    action = PROBLEM_ACTIONS[name]
    allowed = action.allows(state, level, {role})
    if role == SYSTEM:
        allowed = allowed and state == ProblemState.OPEN
    ledger_before = LedgerEntry.objects.count()
    call = services.PROBLEM_ACTION_SERVICES[name]
    if allowed:
        call(by=by, **CALLS[name](problem))
        problem.refresh_from_db()
        assert problem.state == action.target_state
        assert problem.level == (level + 1 if action.raises_level else level)
        entry = LedgerEntry.objects.get(action=f"problem_{name}")
        assert entry.actor == by and entry.details["problem"] == problem.number
    else:
        with pytest.raises(DomainError):
            call(by=by, **CALLS[name](problem))
        problem.refresh_from_db()
        assert (problem.state, problem.level) == (state, level)
        assert LedgerEntry.objects.count() == ledger_before


def test_system_only_escalates():
    assert {name for name, a in PROBLEM_ACTIONS.items() if SYSTEM in a.roles} == {"escalate"}


def test_buttons_never_offer_the_systems_actions_to_a_person():
    assert problem_actions_for(ProblemState.OPEN, ProblemLevel.SPECIALIST, {SYSTEM}) == []


def test_nothing_can_be_done_to_a_closed_problem():
    everyone = {Role.APPLICANT, Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR,
                Role.DEPARTMENT_REPRESENTATIVE}
    for level in ProblemLevel:
        assert problem_actions_for(ProblemState.CLOSED, level, everyone) == []
