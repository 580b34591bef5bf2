import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from bangban.accounts.models import Role, User
from bangban.meetings import services
from bangban.meetings.models import Meeting
from bangban.meetings.workflow import MeetingKind, MeetingState
from tests.factories import (
    CaseFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@dataclass
class World:
    case: object
    chief: User
    supervisor: User
    specialist: User
    department: User
    other_department: User
    expert: User
    applicant: User
    other_applicant: User
    outsider: User

    def user(self, role):
        return {
            Role.CHIEF_SPECIALIST: self.chief,
            Role.SUPERVISOR: self.supervisor,
            Role.SPECIALIST: self.specialist,
            Role.DEPARTMENT_REPRESENTATIVE: self.department,
            Role.EXPERT: self.expert,
            Role.APPLICANT: self.applicant,
            "other_department": self.other_department,
            "other_applicant": self.other_applicant,
            "outsider": self.outsider,
        }[role]


def make_world():
    specialist = UserFactory()
    case = CaseFactory(in_progress=True, specialist=specialist)
    agency = case.agency
    MembershipFactory(user=specialist, agency=agency, role=Role.SPECIALIST)
    return World(
        case=case,
        chief=MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=agency, role=Role.SUPERVISOR).user,
        specialist=specialist,
        department=MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=DepartmentFactory(agency=agency)).user,
        other_department=MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                           department=DepartmentFactory(agency=agency)).user,
        expert=MembershipFactory(agency=agency, role=Role.EXPERT, title="高级工程师").user,
        applicant=case.company_contact.user,
        other_applicant=CompanyContactFactory().user,
        outsider=UserFactory(),
    )


@pytest.fixture
def world(db):
    return make_world()


def convene(world, *, starts_in=DAY, **overrides):
    starts_at = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    arguments = dict(
        by=world.chief, case=world.case, title="规划方案联合审查", kind=MeetingKind.JOINT,
        starts_at=starts_at, ends_at=starts_at + 2 * HOUR, place="市政务服务中心三楼会议室",
        agenda="一、项目情况介绍\n二、各部门意见", representatives=[world.department],
        experts=[world.expert], external_experts=[("李工", "市设计院", "li@example.com")],
        company_contacts=[world.case.company_contact],
    )
    arguments.update(overrides)
    return services.convene_meeting(**arguments)


def move_to_past(meeting):
    """The meeting took place yesterday (services refuse to schedule in the past)."""
    starts_at = timezone.now() - DAY
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at,
                                                 ends_at=starts_at + 2 * HOUR)
    meeting.refresh_from_db()
    return meeting


def meeting_in_state(world, state):
    """A meeting in `state`, reached through the services, with one open decision for the
    department's representative once held."""
    meeting = convene(world)
    if state == MeetingState.SCHEDULED:
        return meeting
    if state == MeetingState.CANCELLED:
        return services.cancel_meeting(meeting=meeting, by=world.chief, reason="改期另行通知")
    move_to_past(meeting)
    services.record_minutes(meeting=meeting, by=world.chief, minutes="会议议定如下。")
    services.add_decision(meeting=meeting, by=world.chief, text="出具规划条件",
                          owner=world.department, working_days=5)
    if state == MeetingState.PUBLISHED:
        services.publish_minutes(meeting=meeting, by=world.chief)
    meeting.refresh_from_db()
    return meeting
