"""The demo's visits and activities, without building the whole demo."""

from collections import Counter

import pytest

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState
from bangban.core.demo import DemoClock
from bangban.visits.demo import play_visits
from bangban.visits.models import Activity, ActivityKind
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []

    def log(self, message):
        self.messages.append(message)


def test_demo_has_every_kind_and_a_return_visit_on_a_case():
    city = AgencyFactory()
    district = AgencyFactory(parent=city, level="county")
    specialist = MembershipFactory(agency=city, role=Role.SPECIALIST).user
    MembershipFactory(agency=district, role=Role.SPECIALIST)
    case = CaseFactory(agency=city, state=CaseState.COMPLETED, specialist=specialist)
    builder = Builder()
    with builder.clock.installed():
        assert play_visits(builder) == 6
        assert play_visits(builder) == 0
    assert {a.kind for a in Activity.objects.all()} == set(ActivityKind)
    assert Activity.objects.filter(agency=district).count() == 1
    visit = Activity.objects.get(kind=ActivityKind.RETURN_VISIT)
    assert visit.case == case
    assert LedgerEntry.objects.filter(case=case, action="visit_recorded").count() == 1
    assert builder.messages == []
