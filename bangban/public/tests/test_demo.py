"""The demo's contact cards and query code, without building the whole demo."""

from collections import Counter

import pytest
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.core.demo import DemoClock
from bangban.public.demo import demo_query_case, play_public
from bangban.public.models import ContactCard, ProgressQueryCode
from bangban.public.tests.conftest import make_world
from tests.factories import CompanyContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []

    def log(self, message):
        self.messages.append(message)


def test_demo_publishes_cards_and_issues_a_query_code_once():
    world = make_world()
    MembershipFactory(role=Role.DEPARTMENT_REPRESENTATIVE, agency=world.case.agency,
                      department=world.items[0].department)
    CompanyContactFactory()
    builder = Builder()
    with builder.clock.installed():
        assert play_public(builder) == 3  # specialist, chief, department representative
        assert play_public(builder) == 0
    assert ContactCard.objects.filter(is_published=True).count() == 3
    assert not ContactCard.objects.filter(user=world.applicant).exists()
    assert ContactCard.objects.get(user=world.specialist).phone == world.specialist.phone
    record = ProgressQueryCode.objects.get()
    assert record.project == world.case.project and record.issued_by == world.specialist
    assert record.issued_at <= timezone.now()
    assert demo_query_case() == world.case
    assert builder.created["query codes"] == 1
