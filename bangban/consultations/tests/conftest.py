from dataclasses import dataclass

import pytest
from django.utils import translation

from bangban.accounts.models import Role
from tests.factories import (
    AgencyFactory,
    CompanyContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@dataclass
class World:
    agency: object
    district: object
    specialist: object
    colleague: object
    chief: object
    supervisor: object
    district_specialist: object
    outsider: object
    contact: object
    project: object


def make_world():
    agency = AgencyFactory()
    district = AgencyFactory(parent=agency)
    contact = CompanyContactFactory()
    return World(
        agency=agency, district=district,
        specialist=MembershipFactory(agency=agency, role=Role.SPECIALIST).user,
        colleague=MembershipFactory(agency=agency, role=Role.SPECIALIST).user,
        chief=MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=agency, role=Role.SUPERVISOR).user,
        district_specialist=MembershipFactory(agency=district, role=Role.SPECIALIST).user,
        outsider=UserFactory(),
        contact=contact,
        project=ProjectFactory(company=contact.company, agency=agency),
    )


@pytest.fixture
def world(db):
    return make_world()
