import datetime
from dataclasses import dataclass

import pytest
from django.utils import translation

from bangban.accounts.models import Role
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, UserFactory

# The first 5 working days of 2025's third quarter: 1–4 July (Tue–Fri) and Monday 7 July;
# the 6th is 8 July. The calendar is the chinese_calendar package's (none in the test database).
Q3_FIRST_DAY = datetime.date(2025, 7, 1)
Q3_FIFTH_WORKING_DAY = datetime.date(2025, 7, 7)
Q3_SIXTH_WORKING_DAY = datetime.date(2025, 7, 8)
Q3_SATURDAY = datetime.date(2025, 7, 5)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class World:
    city: object
    district: object
    specialist: object
    chief: object
    district_chief: object
    supervisor: object
    district_specialist: object
    outsider: object
    case: object


def make_world():
    city = AgencyFactory()
    district = AgencyFactory(parent=city, level="county")
    specialist = MembershipFactory(agency=city, role=Role.SPECIALIST).user
    return World(
        city=city, district=district, specialist=specialist,
        chief=MembershipFactory(agency=city, role=Role.CHIEF_SPECIALIST).user,
        district_chief=MembershipFactory(agency=district, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=city, role=Role.SUPERVISOR).user,
        district_specialist=MembershipFactory(agency=district, role=Role.SPECIALIST).user,
        outsider=UserFactory(),
        case=CaseFactory(in_progress=True, agency=city, specialist=specialist),
    )


@pytest.fixture
def world(db):
    return make_world()
