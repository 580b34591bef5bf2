"""The demo's meetings, without building the whole demo (core's test does that)."""

from collections import Counter

import pytest
from django.utils import timezone

from bangban.cases.models import LedgerEntry
from bangban.core.demo import DemoClock
from bangban.meetings.demo import play_meetings
from bangban.meetings.models import Meeting
from bangban.meetings.tests.conftest import make_world
from bangban.meetings.workflow import ActionState, MeetingKind, MeetingState
from bangban.problems import services as problem_services
from tests.factories import CaseItemFactory

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, world):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []
        self.chief = world.chief

    def log(self, message):
        self.messages.append(message)

    def chief_for(self, agency):
        return self.chief


def test_demo_meetings():
    world = make_world()
    CaseItemFactory(case=world.case, department=world.department.memberships.get().department)
    builder = Builder(world)
    with builder.clock.installed():
        assert play_meetings(builder) == 2
        assert play_meetings(builder) == 0  # a second run adds nothing
    held = Meeting.objects.get(state=MeetingState.PUBLISHED)
    upcoming = Meeting.objects.get(state=MeetingState.SCHEDULED)
    assert upcoming.starts_at > timezone.now() > held.ends_at
    today = timezone.localdate()
    done, overdue = held.actions.order_by("pk")
    assert done.state == ActionState.DONE and timezone.localdate(done.done_at) <= done.due_date
    assert overdue.state == ActionState.OPEN and overdue.is_overdue(today)
    assert held.attendees.filter(user=world.department).exists()
    assert LedgerEntry.objects.filter(case=world.case, action="meeting_publish").exists()
    assert upcoming.attendees.get(user=world.applicant).reply == "attend"


def test_demo_without_a_running_case_adds_nothing(db):
    world = make_world()
    world.case.state = "completed"
    world.case.save()
    builder = Builder(world)
    with builder.clock.installed():
        assert play_meetings(builder) == 0
    assert builder.messages and not Meeting.objects.exists()


def test_demo_convenes_the_meeting_a_high_problem_calls_for():
    world = make_world()
    item = CaseItemFactory(case=world.case,
                           department=world.department.memberships.get().department)
    problem = problem_services.raise_problem(
        case=world.case, by=world.applicant, item=item, title="用地红线冲突",
        description="规划红线与道路冲突", requested_outcome="请协调")
    for _level in range(2):
        problem = problem_services.escalate_problem(problem=problem, by=world.chief,
                                                    reason="需要联席会议协调")
    builder = Builder(world)
    with builder.clock.installed():
        assert play_meetings(builder) == 3
    meeting = Meeting.objects.get(problems=problem)
    assert meeting.kind == MeetingKind.JOINT and meeting.state == MeetingState.SCHEDULED
    assert meeting.starts_at > timezone.now()
    assert meeting.attendees.filter(user=world.department).exists()
    assert LedgerEntry.objects.filter(action="problem_on_agenda",
                                      details__problem=problem.number).exists()
