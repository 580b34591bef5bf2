"""The joint meeting's lifecycle (SPEC §6, Binzhou 7.1.3), written down once.

A meeting is convened by a chief specialist (`scheduled`), may be rescheduled or cancelled
while it is ahead, gets its minutes drafted once it has been held (`held`: text and decisions
may still change), and ends with the minutes published to every attendee and the company
(`published`). Published minutes are locked: a correction is a new recorded entry, never an
edit. Each decision of the minutes becomes a tracked action (`MeetingAction`) that its owner
marks done. Services check these tables, templates ask them which buttons to show, and the
tests walk every (state, action, role) combination.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Role
from bangban.problems.workflow import ProblemLevel, ProblemState

# Pseudo-roles a user holds towards one meeting or one action, besides the agency roles.
ATTENDEE = "attendee"
OWNER = "owner"


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting", "Scheduled")
    HELD = "held", pgettext_lazy("meeting", "Held (minutes in draft)")
    PUBLISHED = "published", pgettext_lazy("meeting", "Minutes published")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("Joint meeting")
    LEADERSHIP = "leadership", _("Leadership special meeting")
    PRE_REVIEW = "pre_review", _("Pre-review consultation")


class AttendeeKind(models.TextChoices):
    DEPARTMENT = "department", _("Department representative")
    EXPERT = "expert", _("Expert")
    EXTERNAL_EXPERT = "external_expert", _("External expert")
    COMPANY = "company", _("Company contact")


class Reply(models.TextChoices):
    PENDING = "pending", pgettext_lazy("meeting reply", "No reply yet")
    ATTEND = "attend", pgettext_lazy("meeting reply", "Will attend")
    DECLINE = "decline", pgettext_lazy("meeting reply", "Declines")


class ActionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("meeting action", "Open")
    DONE = "done", pgettext_lazy("meeting action", "Done")


ACTIVE_STATES = frozenset({MeetingState.SCHEDULED, MeetingState.HELD})


@dataclass(frozen=True)
class MeetingTransition:
    name: str
    label: str
    sources: frozenset
    target: str | None  # None: the state stays
    roles: frozenset
    style: str = "primary"

    def allows(self, state, roles) -> bool:
        return state in self.sources and bool(self.roles & set(roles))


def _action(name, label, sources, target, roles, style="primary"):
    return MeetingTransition(name, label, frozenset(sources), target, frozenset(roles), style)


S = MeetingState
CHIEF = Role.CHIEF_SPECIALIST

MEETING_ACTIONS = {
    a.name: a
    for a in [
        _action("reschedule", _("Reschedule"), {S.SCHEDULED}, None, {CHIEF}),
        _action("cancel", _("Cancel the meeting"), {S.SCHEDULED}, S.CANCELLED, {CHIEF},
                "danger"),
        _action("reply", _("Reply to the invitation"), {S.SCHEDULED}, None, {ATTENDEE}),
        _action("record_minutes", _("Record the minutes"), {S.SCHEDULED, S.HELD}, S.HELD,
                {CHIEF}),
        _action("add_decision", _("Add a decision"), {S.HELD}, None, {CHIEF}),
        _action("remove_decision", _("Remove a decision"), {S.HELD}, None, {CHIEF},
                "warning"),
        _action("publish", _("Publish the minutes"), {S.HELD}, S.PUBLISHED, {CHIEF},
                "success"),
        _action("correct_minutes", _("Record a correction"), {S.PUBLISHED}, None, {CHIEF},
                "warning"),
    ]
}

# What the owner of a decision may do with it, once the minutes are published.
COMPLETE_ACTION = _action("complete_action", _("Mark as done"), {ActionState.OPEN},
                          ActionState.DONE, {OWNER}, "success")


def meeting_actions_for(state, roles):
    """The actions `roles` may take on a meeting in `state` (buttons to show)."""
    return [a for a in MEETING_ACTIONS.values() if a.allows(state, roles)]


# A problem still being dealt with may go on a meeting's agenda; a closed one, or one passed
# on to another body by feedback letter, is no longer the service's to settle.
AGENDA_PROBLEM_STATES = frozenset({ProblemState.OPEN, ProblemState.ANSWERED,
                                   ProblemState.RELAYED})


@dataclass(frozen=True)
class ProblemMeeting:
    """The meeting a problem's level calls for: the button on the problem page and the kind
    the convene page preselects."""

    kind: str
    label: str


# Levels 3 and 4 of a problem are settled in a meeting (Hunan 三(二)3(3)).
PROBLEM_MEETINGS = {
    ProblemLevel.JOINT_MEETING: ProblemMeeting(MeetingKind.JOINT,
                                               _("Convene a joint meeting")),
    ProblemLevel.LEADERSHIP_MEETING: ProblemMeeting(MeetingKind.LEADERSHIP,
                                                    _("Convene a leadership special meeting")),
}


def problem_meeting_for(state, level, roles):
    """The meeting a chief specialist may convene on a problem in `state` at `level`, or
    None (no button)."""
    if CHIEF not in roles or state not in AGENDA_PROBLEM_STATES:
        return None
    return PROBLEM_MEETINGS.get(level)


# What the case's ledger calls each meeting entry (services write `meeting_<action>`).
LEDGER_LABELS = {
    "meeting_convene": _("Meeting convened"),
    "meeting_reschedule": _("Meeting rescheduled"),
    "meeting_cancel": _("Meeting cancelled"),
    "meeting_publish": _("Meeting minutes published"),
    "meeting_correct_minutes": _("Correction to meeting minutes recorded"),
    "meeting_complete_action": _("Meeting decision carried out"),
}


# What the meeting's own record (MeetingEntry) calls each action.
ENTRY_LABELS = {
    "convene": _("Meeting convened"),
    **{name: action.label for name, action in MEETING_ACTIONS.items()},
    COMPLETE_ACTION.name: _("Decision carried out"),
}
