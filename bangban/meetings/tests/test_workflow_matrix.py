"""Walks every (state, action, role) combination of workflow.py through the services.

An allowed one must succeed and land in the table's target state; a forbidden one must raise
a DomainError and change nothing.
"""

import pytest
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.core.errors import DomainError
from bangban.meetings import services
from bangban.meetings.models import MeetingAction, MeetingEntry
from bangban.meetings.tests.conftest import DAY, HOUR, make_world, meeting_in_state, move_to_past
from bangban.meetings.workflow import (
    ATTENDEE,
    COMPLETE_ACTION,
    MEETING_ACTIONS,
    MeetingState,
    Reply,
    meeting_actions_for,
)

ROLES = [Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.SPECIALIST,
         Role.DEPARTMENT_REPRESENTATIVE, Role.EXPERT, Role.APPLICANT, "other_department",
         "other_applicant", "outsider"]
# The roles each test user holds towards the meeting (the invitees are attendees).
HELD_ROLES = {
    Role.CHIEF_SPECIALIST: {Role.CHIEF_SPECIALIST},
    Role.SUPERVISOR: {Role.SUPERVISOR},
    Role.SPECIALIST: {Role.SPECIALIST},
    Role.DEPARTMENT_REPRESENTATIVE: {ATTENDEE},
    Role.EXPERT: {ATTENDEE},
    Role.APPLICANT: {Role.APPLICANT, ATTENDEE},
    "other_department": set(),
    "other_applicant": set(),
    "outsider": set(),
}


def _arguments(name, meeting, world):
    later = max(meeting.starts_at, timezone.now()) + DAY
    return {
        "reschedule": dict(starts_at=later, ends_at=later + HOUR, place="二楼", reason="改期"),
        "cancel": dict(reason="取消"),
        "reply": dict(reply=Reply.ATTEND),
        "record_minutes": dict(minutes="纪要正文"),
        "add_decision": dict(text="决定事项", owner=world.department, working_days=3),
        "remove_decision": dict(decision=meeting.actions.first() or MeetingAction(pk=0)),
        "publish": dict(),
        "correct_minutes": dict(correction="更正"),
    }[name]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(MeetingState))
@pytest.mark.parametrize("name", list(MEETING_ACTIONS))
def test_meeting_action_matrix(name, state, role):
    world = make_world()
    meeting = meeting_in_state(world, state)
    if name == "record_minutes":
        move_to_past(meeting)
    action = MEETING_ACTIONS[name]
    user = world.user(role)
    allowed = action.allows(state, HELD_ROLES[role])
    assert (action in meeting_actions_for(state, HELD_ROLES[role])) == allowed
    before = (meeting.state, meeting.sequence, meeting.minutes,
              MeetingEntry.objects.count(), MeetingAction.objects.count())
    call = services.MEETING_ACTION_SERVICES[name]
    if allowed:
        call(meeting=meeting, by=user, **_arguments(name, meeting, world))
        meeting.refresh_from_db()
        assert meeting.state == (action.target or state)
        assert MeetingEntry.objects.filter(meeting=meeting, action=name).exists()
    else:
        with pytest.raises(DomainError):
            call(meeting=meeting, by=user, **_arguments(name, meeting, world))
        meeting.refresh_from_db()
        assert before == (meeting.state, meeting.sequence, meeting.minutes,
                          MeetingEntry.objects.count(), MeetingAction.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(MeetingState))
def test_complete_action_matrix(state, role):
    """Only the decision's owner (the department's representative here), and only once the
    minutes are published."""
    world = make_world()
    meeting = meeting_in_state(world, state)
    decision = meeting.actions.first()
    if decision is None:
        return
    user = world.user(role)
    if role == Role.DEPARTMENT_REPRESENTATIVE and state == MeetingState.PUBLISHED:
        services.complete_action(action=decision, by=user, note="已办")
        decision.refresh_from_db()
        assert decision.state == COMPLETE_ACTION.target
    else:
        with pytest.raises(DomainError):
            services.complete_action(action=decision, by=user, note="已办")
        decision.refresh_from_db()
        assert decision.state == "open"
