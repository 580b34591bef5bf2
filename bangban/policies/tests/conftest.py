from dataclasses import dataclass

import pytest
from django.utils import translation

from bangban.accounts.models import Role, User
from bangban.policies.tests.factories import PolicyFactory
from tests.factories import CaseFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@dataclass
class World:
    case: object
    policy: object
    specialist: User
    chief: User
    supervisor: User
    applicant: User
    outsider: User

    def user(self, role):
        return {Role.SPECIALIST: self.specialist, Role.CHIEF_SPECIALIST: self.chief,
                Role.SUPERVISOR: self.supervisor, Role.APPLICANT: self.applicant,
                "outsider": self.outsider}[role]


def make_world(**case_traits):
    specialist = UserFactory()
    case = CaseFactory(specialist=specialist, **(case_traits or {"in_progress": True}))
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    return World(
        case=case, policy=PolicyFactory(), specialist=specialist,
        chief=MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user,
        applicant=case.company_contact.user, outsider=UserFactory(),
    )


@pytest.fixture
def world(db):
    return make_world()
