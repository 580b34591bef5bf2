"""The escalation job: escalates what is due, once, and nothing else."""

import datetime

import pytest

from bangban.cases.models import LedgerEntry
from bangban.problems import services
from bangban.problems.jobs import escalate_overdue_problems
from bangban.problems.tests.conftest import LEVEL_1_DUE
from bangban.problems.workflow import ProblemLevel, ProblemState

pytestmark = pytest.mark.django_db

DUE_DAY = LEVEL_1_DUE + datetime.timedelta(days=1)


def test_nothing_happens_before_the_level_is_overdue(world):
    problem = world.raise_problem()
    assert escalate_overdue_problems(LEVEL_1_DUE) == 0
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.SPECIALIST


def test_an_unanswered_problem_is_escalated_once_when_overdue(world):
    problem = world.raise_problem()
    assert escalate_overdue_problems(DUE_DAY) == 1
    assert escalate_overdue_problems(DUE_DAY) == 0  # idempotent
    problem.refresh_from_db()
    assert (problem.level, problem.state) == (ProblemLevel.CHIEF, ProblemState.OPEN)
    assert problem.due_on == datetime.date(2025, 3, 14)  # 5 working days after the 7th
    escalation = problem.escalations.get()
    assert escalation.automatic and escalation.by.username == "system"
    entry = LedgerEntry.objects.get(action="problem_escalate")
    assert entry.actor_role == "system" and entry.reason == "Not answered by the due date."


def test_the_job_climbs_level_by_level_and_stops_at_the_top(world):
    problem = world.raise_problem()
    day = DUE_DAY
    for level in (2, 3, 4):
        assert escalate_overdue_problems(day) == 1
        problem.refresh_from_db()
        assert problem.level == level
        day = problem.due_on + datetime.timedelta(days=1)
    assert problem.next_escalation_on is None
    assert escalate_overdue_problems(day + datetime.timedelta(days=60)) == 0
    assert problem.escalations.count() == 3


@pytest.mark.parametrize("step", ["answered", "letter", "closed"])
def test_a_problem_answered_passed_on_or_closed_is_left_alone(world, step):
    problem = world.raise_problem()
    if step == "answered":
        services.answer_problem(problem=problem, by=world.department, answer="已处理")
    elif step == "letter":
        services.send_feedback_letter(problem=problem, by=world.chief, addressee="区供电局",
                                      content="请研究")
    else:
        services.close_problem(problem=problem, by=world.chief, reason="企业撤回诉求")
    assert escalate_overdue_problems(DUE_DAY + datetime.timedelta(days=30)) == 0
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.SPECIALIST


def test_a_problem_reopened_past_its_due_date_is_escalated(world):
    problem = world.raise_problem()
    services.answer_problem(problem=problem, by=world.department, answer="已处理")
    services.relay_answer(problem=problem, by=world.specialist, answer="已处理")
    services.reopen_problem(problem=problem, by=world.applicant, reason="仍未解决")
    assert escalate_overdue_problems(DUE_DAY) == 1
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.CHIEF


def test_the_job_is_registered_with_the_worker(settings):
    assert "bangban.problems.jobs.escalate_overdue_problems" in settings.BANGBAN_WORKER_JOBS
