from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from bangban.accounts.models import Role, User
from bangban.cases.workflow import ItemState
from bangban.deadlines.models import WarningLevel
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    MatterFactory,
    MembershipFactory,
    StageFactory,
    UserFactory,
)

PROJECT_CODE = "2026-371602-47-03-000123"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()


@dataclass
class World:
    case: object
    items: list
    specialist: User
    chief: User
    supervisor: User
    applicant: User
    outsider: User

    def user(self, role):
        return {Role.SPECIALIST: self.specialist, Role.CHIEF_SPECIALIST: self.chief,
                Role.SUPERVISOR: self.supervisor, Role.APPLICANT: self.applicant,
                "outsider": self.outsider}[role]


def make_world(*, project_code=PROJECT_CODE, **case_traits):
    specialist = UserFactory(full_name="王晓敏")
    case = CaseFactory(specialist=specialist, project__code=project_code,
                       plan_published_at=timezone.now(),
                       **(case_traits or {"in_progress": True}))
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    planning, building = StageFactory(code=1, name="立项用地规划许可"), StageFactory(code=3)
    items = [
        CaseItemFactory(case=case, matter=MatterFactory(stage=planning, name="用地规划许可"),
                        state=ItemState.APPROVED),
        CaseItemFactory(case=case, matter=MatterFactory(stage=building, name="施工许可核发"),
                        state=ItemState.ACCEPTED, warning_level=WarningLevel.YELLOW),
        CaseItemFactory(case=case, matter=MatterFactory(stage=building, name="人防审查"),
                        state=ItemState.PUSHED, warning_level=WarningLevel.GREEN),
    ]
    return World(
        case=case, items=items, specialist=specialist,
        chief=MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user,
        applicant=case.company_contact.user, outsider=UserFactory(),
    )


@pytest.fixture
def world(db):
    return make_world()
