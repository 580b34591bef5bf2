"""The problem's lifecycle (意见反馈表, Qujiang 第十九条 and 附件5; Hunan 三(二)3(3)), written
down once.

A problem has a *state* and a *level*. The department answers it; the specialist relays the
answer to the company, which confirms that it is resolved (or says it is not). A problem not
resolved at its level goes up one: the specialist (1) → the chief responsible person (2) → a
joint meeting (3) → a special meeting of the leadership (4). Each level has its own due date in
working days; the worker (`jobs.escalate_overdue_problems`, acting as `SYSTEM`) escalates an
unanswered problem whose due date has passed. A request outside the service's scope becomes a
feedback letter (问题反馈函) to another body. A problem is closed by the company's confirmation,
or by the chief with a recorded reason (the company cannot be reached, …).

Services check these tables, templates ask them which buttons to show, and the tests walk every
(state, level, action, role) combination.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Role

# The worker's pseudo-role: the system user acting for the platform (accounts/system.py).
SYSTEM = "system"


class ProblemState(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem", "Awaiting answer")
    ANSWERED = "answered", pgettext_lazy("problem", "Answered by the department")
    RELAYED = "relayed", pgettext_lazy("problem", "Answer passed to the company")
    FORWARDED = "forwarded", pgettext_lazy("problem", "Passed on by feedback letter")
    CLOSED = "closed", pgettext_lazy("problem", "Closed")


class ProblemLevel(models.IntegerChoices):
    SPECIALIST = 1, _("Level 1: specialist")
    CHIEF = 2, _("Level 2: chief responsible person")
    JOINT_MEETING = 3, _("Level 3: joint meeting")
    LEADERSHIP_MEETING = 4, _("Level 4: leadership special meeting")


class Closure(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the company")
    WITH_REASON = "with_reason", _("Closed by the chief with a reason")


TOP_LEVEL = ProblemLevel.LEADERSHIP_MEETING
ACTIVE_STATES = frozenset({ProblemState.OPEN, ProblemState.ANSWERED, ProblemState.RELAYED,
                           ProblemState.FORWARDED})

APPLICANT, SPECIALIST = Role.APPLICANT, Role.SPECIALIST
CHIEF, DEPARTMENT = Role.CHIEF_SPECIALIST, Role.DEPARTMENT_REPRESENTATIVE

# Who may raise a problem on a case: its company's contacts, its specialist, and the chiefs
# above it (a chief specialist is a specialist too).
RAISING_ROLES = frozenset({APPLICANT, SPECIALIST, CHIEF})


@dataclass(frozen=True)
class ProblemAction:
    name: str
    label: str
    sources: frozenset  # states
    levels: frozenset  # levels it applies at
    target_state: str
    raises_level: bool
    roles: frozenset
    style: str = "primary"

    def allows(self, state, level, roles) -> bool:
        return state in self.sources and level in self.levels and bool(self.roles & set(roles))


def _action(name, label, sources, target_state, roles, *, levels=frozenset(ProblemLevel),
            raises_level=False, style="primary"):
    return ProblemAction(name, label, frozenset(sources), frozenset(levels), target_state,
                         raises_level, frozenset(roles), style)


S = ProblemState
_BELOW_TOP = frozenset(level for level in ProblemLevel if level != TOP_LEVEL)

PROBLEM_ACTIONS = {
    a.name: a
    for a in [
        # The chief may write down an answer the department gave by phone or at a meeting.
        _action("answer", _("Answer the problem"), {S.OPEN}, S.ANSWERED, {DEPARTMENT, CHIEF}),
        _action("relay", _("Pass the answer to the company"), {S.ANSWERED}, S.RELAYED,
                {SPECIALIST, CHIEF}, style="success"),
        _action("escalate", _("Escalate to the next level"), {S.OPEN, S.ANSWERED, S.RELAYED},
                S.OPEN, {SPECIALIST, CHIEF, SYSTEM}, levels=_BELOW_TOP, raises_level=True,
                style="warning"),
        _action("feedback_letter", _("Pass on by feedback letter"), {S.OPEN, S.ANSWERED},
                S.FORWARDED, {SPECIALIST, CHIEF}, style="secondary"),
        _action("confirm", _("Confirm the problem is resolved"), {S.RELAYED, S.FORWARDED},
                S.CLOSED, {APPLICANT}, style="success"),
        _action("reopen", _("Not resolved yet"), {S.RELAYED}, S.OPEN, {APPLICANT},
                style="warning"),
        _action("close", _("Close with a reason"), ACTIVE_STATES, S.CLOSED, {CHIEF},
                style="danger"),
    ]
}

# The worker acts only on what is due: an open (unanswered) problem past its level's due date.
SYSTEM_ACTIONS = frozenset({"escalate"})


def problem_actions_for(state, level, roles):
    """The actions `roles` may take on a problem in `state` at `level` (buttons to show); the
    system's pseudo-role is never a person's."""
    return [a for a in PROBLEM_ACTIONS.values()
            if a.allows(state, level, set(roles) - {SYSTEM})]


# What the case's ledger calls each problem entry (services write `problem_<action>`).
LEDGER_LABELS = {
    "problem_raise": _("Problem raised"),
    "problem_answer": _("Problem answered by the department"),
    "problem_relay": _("Answer to the problem passed to the company"),
    "problem_escalate": _("Problem escalated"),
    "problem_feedback_letter": _("Problem passed on by feedback letter"),
    "problem_confirm": _("Company confirmed the problem is resolved"),
    "problem_reopen": _("Company said the problem is not resolved"),
    "problem_close": _("Problem closed with a reason"),
    # Written by meetings.services.convene_meeting: the problem's level is settled there.
    "problem_on_agenda": _("Problem put on a meeting's agenda"),
}
