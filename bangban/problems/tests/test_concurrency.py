"""Two workers escalating at the same moment: exactly one escalation."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from bangban.accounts.system import system_user
from bangban.cases.models import LedgerEntry
from bangban.problems.jobs import escalate_overdue_problems
from bangban.problems.models import Problem, ProblemEscalation
from bangban.problems.tests.conftest import LEVEL_1_DUE, make_world
from bangban.problems.workflow import ProblemLevel

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks across connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_workers_escalate_once():
    world = make_world()
    problem = world.raise_problem()
    system_user()  # created up front, as a running worker would have it
    day = LEVEL_1_DUE + datetime.timedelta(days=1)
    outcomes, ready = [], threading.Barrier(3)

    def run():
        try:
            ready.wait()
            outcomes.append(escalate_overdue_problems(day))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with transaction.atomic():
        # Both workers read the problem as due, then block on its row lock.
        Problem.objects.select_for_update().get(pk=problem.pk)
        for thread in threads:
            thread.start()
        ready.wait()
        threading.Event().wait(0.5)
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [0, 1]
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.CHIEF
    assert ProblemEscalation.objects.filter(problem=problem).count() == 1
    assert LedgerEntry.objects.filter(action="problem_escalate").count() == 1
