"""The demo's ratings, without building the whole demo (core's test does that)."""

from collections import Counter

import pytest

from bangban.core.demo import DemoClock
from bangban.evaluations.demo import ITEM_SCENARIOS, play_evaluations
from bangban.evaluations.models import Evaluation, Rectification
from bangban.evaluations.tests.conftest import make_world
from bangban.evaluations.workflow import EvaluationChannel, RectificationState

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, worlds):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []
        self.chiefs = {w.case.agency_id: w.chief for w in worlds}

    def log(self, message):
        self.messages.append(message)

    def chief_for(self, agency):
        return self.chiefs[agency.pk]


def test_demo_ratings_include_a_window_one_and_a_bad_one_under_rectification():
    worlds = [make_world(decided_days_ago=10) for _ in range(4)]
    builder = Builder(worlds)
    with builder.clock.installed():
        assert play_evaluations(builder) == len(ITEM_SCENARIOS) + 1
        assert play_evaluations(builder) == 0  # a second run adds nothing
    assert builder.messages == []
    assert Evaluation.objects.count() == len(ITEM_SCENARIOS) + 1
    assert Evaluation.objects.filter(item__isnull=True).count() == 1
    assert Evaluation.objects.filter(channel=EvaluationChannel.WINDOW).count() == 1
    states = sorted(Rectification.objects.values_list("state", flat=True))
    assert states == [RectificationState.CLOSED, RectificationState.RECTIFIED]
    for evaluation in Evaluation.objects.select_related("item", "case"):
        decided = evaluation.item.decided_at if evaluation.item else evaluation.case.completed_at
        assert evaluation.rated_at > decided
    assert builder.created["evaluations"] == len(ITEM_SCENARIOS) + 1
