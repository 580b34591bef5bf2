import datetime
import zoneinfo
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone, translation

from bangban.accounts.models import Role, User
from bangban.cases.workflow import CaseState, ItemState
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    MembershipFactory,
    UserFactory,
)

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# Friday 2025-09-26: 10 working days later is 2025-10-16 (catalog.md's reference check:
# 28 Sep and 11 Oct are make-up working days, 1–8 Oct are off).
NOW = datetime.datetime(2025, 9, 26, 10, 0, tzinfo=TZ)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Services and selectors read `timezone.now()`: it is NOW, unless a test moves it."""

    class Clock:
        now = NOW

        def set(self, moment):
            self.now = moment

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@dataclass
class World:
    case: object
    approved: object  # decided two days ago
    refused: object
    running: object  # accepted, not decided
    withdrawn: object
    specialist: User
    chief: User
    supervisor: User
    applicant: User
    colleague: object  # a second contact of the company (CompanyContact)
    other_company: User
    department: User
    outsider: User
    other_chief: User

    def user(self, role):
        return {
            Role.SPECIALIST: self.specialist,
            Role.CHIEF_SPECIALIST: self.chief,
            Role.SUPERVISOR: self.supervisor,
            Role.APPLICANT: self.applicant,
            Role.DEPARTMENT_REPRESENTATIVE: self.department,
            "outsider": self.outsider,
            "other_company": self.other_company,
            "other_chief": self.other_chief,
        }[role]


def make_world(*, decided_days_ago=2, agency=None):
    decided = NOW - datetime.timedelta(days=decided_days_ago)
    specialist = UserFactory()
    case = CaseFactory(state=CaseState.COMPLETED, specialist=specialist, completed_at=decided,
                       **({"agency": agency} if agency else {}))
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    approved = CaseItemFactory(case=case, state=ItemState.APPROVED, decided_at=decided,
                               result_number="滨住建〔2025〕1号")
    refused = CaseItemFactory(case=case, state=ItemState.REFUSED, decided_at=decided,
                              refusal_reason="不符合规划条件")
    running = CaseItemFactory(case=case, state=ItemState.ACCEPTED)
    withdrawn = CaseItemFactory(case=case, state=ItemState.WITHDRAWN, decided_at=decided)
    other_case = CaseFactory(state=CaseState.COMPLETED, completed_at=decided)
    return World(
        case=case, approved=approved, refused=refused, running=running, withdrawn=withdrawn,
        specialist=specialist,
        chief=MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user,
        applicant=case.company_contact.user,
        colleague=CompanyContactFactory(company=case.project.company, is_representative=False),
        other_company=other_case.company_contact.user,
        department=MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=approved.department).user,
        outsider=UserFactory(),
        other_chief=MembershipFactory(role=Role.CHIEF_SPECIALIST).user,
    )


@pytest.fixture
def world(db):
    return make_world()
