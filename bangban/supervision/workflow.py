"""The supervision notice's lifecycle (SPEC §5, Binzhou 7.5.4), written down once.

A notice has a *state* (open → answered → closed) and a *level* (notice → escalated →
referred). The scan (`jobs.scan_supervision`, acting as `SYSTEM`) issues a notice for an
overdue item, escalates one left unanswered past its response deadline to the agency's
leadership, and refers one still unanswered after that to discipline inspection / audit.
Chiefs and supervisors may escalate or refer by hand, return an unsatisfying reply, and close
a notice once the matter is settled. Services check these tables, templates ask them which
buttons to show, and the tests walk every (state, level, action, role) combination.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Role

# The scan's pseudo-role: the system user acting for the platform (accounts/system.py).
SYSTEM = "system"


class NoticeState(models.TextChoices):
    OPEN = "open", pgettext_lazy("supervision notice", "Awaiting reply")
    ANSWERED = "answered", pgettext_lazy("supervision notice", "Answered")
    CLOSED = "closed", pgettext_lazy("supervision notice", "Closed")


class NoticeLevel(models.TextChoices):
    NOTICE = "notice", _("Supervision notice")
    ESCALATED = "escalated", _("Escalated to agency leadership")
    REFERRED = "referred", _("Referred to discipline inspection / audit")


class ReferralBody(models.TextChoices):
    DISCIPLINE_INSPECTION = "discipline_inspection", _("Discipline inspection and supervision")
    AUDIT = "audit", _("Audit")


# The level a notice goes to when it escalates from each level (none after a referral).
NEXT_LEVEL = {
    NoticeLevel.NOTICE: NoticeLevel.ESCALATED,
    NoticeLevel.ESCALATED: NoticeLevel.REFERRED,
}
ACTIVE_STATES = frozenset({NoticeState.OPEN, NoticeState.ANSWERED})


@dataclass(frozen=True)
class NoticeAction:
    name: str
    label: str
    sources: frozenset  # states
    levels: frozenset  # levels it applies at
    target_state: str | None  # None: the state stays
    target_level: str | None  # None: the level stays
    roles: frozenset
    style: str = "primary"

    def allows(self, state, level, roles) -> bool:
        return state in self.sources and level in self.levels and bool(self.roles & set(roles))


def _action(name, label, sources, levels, target_state, target_level, roles, style="primary"):
    return NoticeAction(name, label, frozenset(sources), frozenset(levels), target_state,
                        target_level, frozenset(roles), style)


S, L = NoticeState, NoticeLevel
DEPARTMENT = Role.DEPARTMENT_REPRESENTATIVE
CHIEF, SUPERVISOR = Role.CHIEF_SPECIALIST, Role.SUPERVISOR
_ALL_LEVELS = set(L)

NOTICE_ACTIONS = {
    a.name: a
    for a in [
        _action("reply", _("Reply to the notice"), {S.OPEN}, _ALL_LEVELS, S.ANSWERED, None,
                {DEPARTMENT}),
        _action("return_reply", _("Return the reply"), {S.ANSWERED}, _ALL_LEVELS, S.OPEN, None,
                {CHIEF, SUPERVISOR}, "warning"),
        _action("escalate", _("Escalate to agency leadership"), {S.OPEN, S.ANSWERED},
                {L.NOTICE}, S.OPEN, L.ESCALATED, {CHIEF, SUPERVISOR, SYSTEM}, "warning"),
        _action("refer", _("Refer to discipline inspection / audit"), {S.OPEN, S.ANSWERED},
                {L.ESCALATED}, None, L.REFERRED, {CHIEF, SUPERVISOR, SYSTEM}, "danger"),
        _action("close", _("Close the notice"), {S.OPEN, S.ANSWERED}, _ALL_LEVELS, S.CLOSED,
                None, {CHIEF, SUPERVISOR}, "success"),
    ]
}

# The system acts only on what is due: an open (unanswered) notice past its response deadline.
SYSTEM_ACTIONS = frozenset({"escalate", "refer"})


def notice_actions_for(state, level, roles):
    """The actions `roles` may take on a notice in `state` at `level` (buttons to show)."""
    return [a for a in NOTICE_ACTIONS.values() if a.allows(state, level, roles)]


# What the case's ledger calls each supervision entry (services write `supervision_<action>`).
LEDGER_LABELS = {
    "supervision_issue": _("Supervision notice issued"),
    "supervision_reply": _("Supervision notice answered"),
    "supervision_return_reply": _("Reply to the supervision notice returned"),
    "supervision_escalate": _("Supervision notice escalated to agency leadership"),
    "supervision_refer": _("Supervision notice referred to discipline inspection / audit"),
    "supervision_close": _("Supervision notice closed"),
}
