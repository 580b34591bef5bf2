"""A consultation's lifecycle (SPEC §6), written down once.

open → answered → converted. Under 首问责任制 (first-inquiry responsibility) the staff member
who takes a consultation is its *first responder* and stays responsible until it is answered;
a chief specialist of the agency (or above) may answer in their place. An answered
consultation can be turned into an application once. Services check this table, templates ask
it which buttons to show, and the tests walk every (state, action, role) combination.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Role

# The pseudo-role of the staff member who took the consultation (首问责任人).
FIRST_RESPONDER = "first_responder"


class Channel(models.TextChoices):
    WINDOW = "window", _("Service window")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    VIDEO = "video", _("Video call")
    ONLINE = "online", _("Online")


class ConsultationState(models.TextChoices):
    OPEN = "open", pgettext_lazy("consultation", "Awaiting answer")
    ANSWERED = "answered", pgettext_lazy("consultation", "Answered")
    CONVERTED = "converted", pgettext_lazy("consultation", "Turned into an application")


@dataclass(frozen=True)
class ConsultationAction:
    name: str
    label: str
    sources: frozenset
    target: str
    roles: frozenset

    def allows(self, state, roles) -> bool:
        return state in self.sources and bool(self.roles & set(roles))


S = ConsultationState
CONSULTATION_ACTIONS = {
    a.name: a
    for a in [
        ConsultationAction("answer", _("Answer"), frozenset({S.OPEN}), S.ANSWERED,
                           frozenset({FIRST_RESPONDER, Role.CHIEF_SPECIALIST})),
        ConsultationAction("convert", _("Turn into an application"), frozenset({S.ANSWERED}),
                           S.CONVERTED, frozenset({FIRST_RESPONDER, Role.CHIEF_SPECIALIST})),
    ]
}


def consultation_actions_for(state, roles):
    return [a for a in CONSULTATION_ACTIONS.values() if a.allows(state, roles)]


LEDGER_LABELS = {
    "consultation_converted": _("Application prepared from a consultation"),
}
