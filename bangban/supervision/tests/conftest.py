import datetime
from dataclasses import dataclass

import pytest
from django.utils import translation

from bangban.accounts.models import Role, User
from bangban.cases.workflow import ItemState
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

# A Monday; the item was due the Friday before. The calendar is the chinese_calendar
# package's (no calendar in the test database), so 2025's holidays count.
TODAY = datetime.date(2025, 3, 3)
DUE = datetime.date(2025, 2, 28)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@dataclass
class World:
    case: object
    item: object
    specialist: User
    chief: User
    supervisor: User
    department: User
    other_department: User
    applicant: User
    outsider: User

    def user(self, role):
        return {
            Role.SPECIALIST: self.specialist,
            Role.CHIEF_SPECIALIST: self.chief,
            Role.SUPERVISOR: self.supervisor,
            Role.DEPARTMENT_REPRESENTATIVE: self.department,
            Role.APPLICANT: self.applicant,
            "outsider": self.outsider,
            "other_department": self.other_department,
        }[role]


def make_world(*, due_date=DUE, agency=None):
    specialist = UserFactory()
    case = CaseFactory(in_progress=True, specialist=specialist,
                       **({"agency": agency} if agency else {}))
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    item = CaseItemFactory(case=case, state=ItemState.ACCEPTED, due_date=due_date)
    other = DepartmentFactory(agency=case.agency)
    return World(
        case=case, item=item, specialist=specialist,
        chief=MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user,
        department=MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=item.department).user,
        other_department=MembershipFactory(agency=case.agency,
                                           role=Role.DEPARTMENT_REPRESENTATIVE,
                                           department=other).user,
        applicant=case.company_contact.user,
        outsider=UserFactory(),
    )


@pytest.fixture
def world(db):
    return make_world()


