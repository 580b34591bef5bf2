import datetime
from dataclasses import dataclass

import pytest
from django.utils import translation

from bangban.accounts.models import Role, User
from bangban.cases.workflow import ItemState
from bangban.problems import services
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

# A Monday. The calendar is the chinese_calendar package's (no calendar in the test database):
# with the default policy (3 working days at level 1) a problem raised today is due on Thursday
# 2025-03-06 and escalated by the worker from Friday 2025-03-07.
TODAY = datetime.date(2025, 3, 3)
LEVEL_1_DUE = datetime.date(2025, 3, 6)


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

    def raise_problem(self, *, by=None, today=TODAY, **fields):
        values = {"title": "施工许可证办理受阻", "description": "消防设计审查意见迟迟未出具",
                  "requested_outcome": "请协调住建部门尽快出具审查意见", "item": self.item}
        values.update(fields)
        return services.raise_problem(case=self.case, by=by or self.applicant, today=today,
                                      **values)


def make_world(*, agency=None):
    specialist = UserFactory()
    case = CaseFactory(in_progress=True, specialist=specialist,
                       **({"agency": agency} if agency else {}))
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    item = CaseItemFactory(case=case, state=ItemState.ACCEPTED)
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
