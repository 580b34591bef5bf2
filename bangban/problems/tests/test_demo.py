"""The demo's problem scenarios, without building the whole demo (core's test does that)."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from bangban.cases.models import CaseItem, LedgerEntry
from bangban.core.demo import DemoClock
from bangban.problems.demo import play_problems
from bangban.problems.jobs import escalate_overdue_problems
from bangban.problems.models import FeedbackLetter, Problem
from bangban.problems.tests.conftest import make_world
from bangban.problems.workflow import Closure, ProblemLevel, ProblemState

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, worlds):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []
        self.reps = {w.item.department_id: w.department for w in worlds}
        self.chiefs = {w.case.agency_id: w.chief for w in worlds}

    def log(self, message):
        self.messages.append(message)

    def department_rep(self, department_id):
        return self.reps[department_id]

    def chief_for(self, agency):
        return self.chiefs[agency.pk]


def test_demo_scenarios_reach_every_level_and_both_endings():
    worlds = [make_world() for _ in range(6)]
    CaseItem.objects.update(pushed_at=timezone.now() - datetime.timedelta(days=60))
    builder = Builder(worlds)
    with builder.clock.installed():
        assert play_problems(builder) == 6
        assert play_problems(builder) == 0  # a second run adds nothing
    problems = Problem.objects.all()
    assert {p.level for p in problems.filter(state=ProblemState.OPEN)} == set(ProblemLevel)
    closed = problems.get(state=ProblemState.CLOSED)
    assert closed.closure == Closure.CONFIRMED
    assert FeedbackLetter.objects.get().problem.state == ProblemState.FORWARDED
    now = timezone.now()
    assert all(entry.at <= now for entry in LedgerEntry.objects.all())
    assert builder.created["problems"] == 6 and not builder.messages
    # Nothing is left overdue for the worker's first round after the demo is built.
    assert escalate_overdue_problems() == 0
