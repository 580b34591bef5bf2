"""The portal's part of the demo, without building the whole demo (core's test does that)."""

from collections import Counter

import pytest

from bangban.companies.models import CompanyContact
from bangban.core.demo import PASSWORD
from bangban.portal.demo import COLLEAGUE, MAIN_COMPANY_USER, play_portal
from tests.factories import CompanyContactFactory, UserFactory

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self):
        self.created = Counter()
        self.messages = []

    def log(self, message):
        self.messages.append(message)


def test_the_main_company_gets_a_second_contact_with_a_login_once():
    representative = CompanyContactFactory(user=UserFactory(username=MAIN_COMPANY_USER))
    builder = Builder()

    assert play_portal(builder) == 1
    assert play_portal(builder) == 0  # a second run adds nothing

    colleague = CompanyContact.objects.get(user__username=COLLEAGUE["username"])
    assert colleague.company == representative.company
    assert not colleague.is_representative and not colleague.is_administrator
    assert colleague.user.check_password(PASSWORD)
    assert builder.created["company contacts"] == 1


def test_nothing_happens_without_the_main_company():
    assert play_portal(Builder()) == 0
    assert not CompanyContact.objects.exists()
