"""The demo's policies and links, without building the whole demo (core's test does that)."""

from collections import Counter

import pytest

from bangban.cases.models import LedgerEntry
from bangban.core.demo import DemoClock
from bangban.policies.demo import POLICIES, play_policies
from bangban.policies.models import CasePolicy, Policy
from bangban.policies.tests.conftest import make_world

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []

    def log(self, message):
        self.messages.append(message)


def test_demo_adds_tagged_policies_and_links_them_into_a_running_case_once():
    world = make_world()
    builder = Builder()
    with builder.clock.installed():
        assert play_policies(builder) == len(POLICIES)
        assert play_policies(builder) == 0
    demo = Policy.objects.filter(title__in=[entry["title"] for entry in POLICIES])
    assert demo.count() == len(POLICIES)
    assert all(p.tags.exists() for p in demo)
    assert CasePolicy.objects.filter(case=world.case).count() == 2
    assert LedgerEntry.objects.filter(case=world.case, action="policy_linked").count() == 2
    assert builder.created["policy links"] == 2
