"""一事一评 (SPEC §7): the rating codes, and the verification-and-rectification record a bad
rating opens, written down once.

Ratings use the codes of GB/T 39046-2020 and 国办发〔2019〕51号: 1 非常满意 … 5 非常不满意;
1–2 are good, 3 neutral, 4–5 bad. A bad rating opens a `Rectification` (核实整改):

    open → verified (核实: the finding; the complaint may be unfounded)
         → rectified (整改 measures; skipped when the complaint was unfounded)
         → visited (回访: the company's feedback) → closed

Only chief specialists of the case's agency (or an agency above it) act on it; supervisors and
the specialist read it. Services check these tables, templates ask them which buttons to show,
and the tests walk every (state, founded, action, role) combination.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Role


class Rating(models.IntegerChoices):
    VERY_SATISFIED = 1, _("Very satisfied")
    SATISFIED = 2, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 4, _("Dissatisfied")
    VERY_DISSATISFIED = 5, _("Very dissatisfied")


GOOD_RATINGS = frozenset({Rating.VERY_SATISFIED, Rating.SATISFIED})
BAD_RATINGS = frozenset({Rating.DISSATISFIED, Rating.VERY_DISSATISFIED})
# The lowest code that counts as bad: a bad rating needs a comment and opens a rectification.
FIRST_BAD_RATING = Rating.DISSATISFIED


def is_bad(rating) -> bool:
    return rating in BAD_RATINGS


class EvaluationChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    WINDOW = "window", _("Service window")


class RectificationState(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification", "Awaiting verification")
    VERIFIED = "verified", pgettext_lazy("rectification", "Verified")
    RECTIFIED = "rectified", pgettext_lazy("rectification", "Rectified")
    VISITED = "visited", pgettext_lazy("rectification", "Return visit recorded")
    CLOSED = "closed", pgettext_lazy("rectification", "Closed")


# The deadline covers verification, rectification and the answer to the company (the return
# visit); a record still in one of these states after its due date is overdue.
UNANSWERED_STATES = frozenset({RectificationState.OPEN, RectificationState.VERIFIED,
                               RectificationState.RECTIFIED})


@dataclass(frozen=True)
class RectificationFacts:
    """What decides an action beyond state and role: whether the complaint was founded (None
    until it has been verified)."""

    founded: bool | None = None


@dataclass(frozen=True)
class RectificationAction:
    name: str
    label: str
    sources: frozenset
    target: str
    roles: frozenset
    style: str = "primary"

    def allows(self, state, roles, facts=RectificationFacts()) -> bool:
        if state not in self.sources or not self.roles & set(roles):
            return False
        condition = RECTIFICATION_ACTION_CONDITIONS.get(self.name)
        return condition is None or condition(state, facts)


def _action(name, label, sources, target, roles, style="primary"):
    return RectificationAction(name, label, frozenset(sources), target, frozenset(roles), style)


S = RectificationState
CHIEF = Role.CHIEF_SPECIALIST

RECTIFICATION_ACTIONS = {
    a.name: a
    for a in [
        _action("verify", _("Record the verification"), {S.OPEN}, S.VERIFIED, {CHIEF}),
        _action("rectify", _("Record the rectification"), {S.VERIFIED}, S.RECTIFIED, {CHIEF}),
        _action("return_visit", _("Record the return visit"), {S.VERIFIED, S.RECTIFIED},
                S.VISITED, {CHIEF}),
        _action("close", _("Close the rectification"), {S.VISITED}, S.CLOSED, {CHIEF},
                "success"),
    ]
}

# A founded complaint is rectified before the return visit; an unfounded one goes straight to
# the return visit, where the finding is explained to the company.
RECTIFICATION_ACTION_CONDITIONS = {
    "rectify": lambda state, facts: facts.founded is True,
    "return_visit": lambda state, facts: (state == S.RECTIFIED) or facts.founded is False,
}


def rectification_actions_for(state, roles, facts=RectificationFacts()):
    """The actions `roles` may take on a rectification in `state` (buttons to show)."""
    return [a for a in RECTIFICATION_ACTIONS.values() if a.allows(state, roles, facts)]


# What the case's ledger calls each entry this app writes.
LEDGER_LABELS = {
    "evaluate": _("Evaluation recorded"),
    "rectification_open": _("Bad rating: verification and rectification opened"),
    "rectification_verify": _("Bad rating verified"),
    "rectification_rectify": _("Bad rating rectified"),
    "rectification_return_visit": _("Return visit on a bad rating recorded"),
    "rectification_close": _("Rectification of a bad rating closed"),
}
