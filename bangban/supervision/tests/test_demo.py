"""The demo's supervision scenarios, without building the whole demo (core's test does that)."""

from collections import Counter

import pytest
from django.utils import timezone

from bangban.core.demo import DemoClock
from bangban.supervision.demo import play_supervision
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.tests.conftest import make_world
from bangban.supervision.workflow import NoticeLevel, NoticeState

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


def test_demo_scenarios_reach_every_level_and_state_once():
    worlds = [make_world(due_date=None) for _ in range(5)]
    builder = Builder(worlds)
    with builder.clock.installed():
        assert play_supervision(builder) == 5
        assert play_supervision(builder) == 0  # a second run adds nothing
    notices = SupervisionNotice.objects.all()
    assert {n.level for n in notices} == set(NoticeLevel)
    assert {n.state for n in notices} == set(NoticeState)
    today = timezone.localdate()
    for notice in notices:
        assert notice.item_due_date < timezone.localtime(notice.issued_at).date() <= today
    assert len(builder.messages) == 5  # every due date had to be set
    assert notices.get(level=NoticeLevel.ESCALATED).state == NoticeState.OPEN
