"""The events a webhook endpoint can subscribe to, and what each delivery carries.

Every ledger entry (`bangban.cases.services.record_ledger`) is one event, named
`case.<action>` or, for an entry about one item, `item.<action>`: `case.accept`,
`item.approve`, `item.problem_raise`, `case.evaluate` … An endpoint subscribes to entries of
`EVENT_CHOICES`: single events or the groups (patterns with `*`) at its top, so that a new
action is delivered to the groups it falls into without anything to change here. The single
events are the case and item actions and the supervision notices' (`item.supervision_issue`
and one per action of `NOTICE_ACTIONS`), each read from its app's workflow table.
"""

from fnmatch import fnmatchcase

from django.utils.translation import gettext_lazy as _

from bangban.cases.workflow import CASE_ACTIONS, ITEM_ACTIONS
from bangban.supervision.workflow import LEDGER_LABELS as SUPERVISION_LABELS
from bangban.supervision.workflow import NOTICE_ACTIONS

EVENT_GROUPS = {
    "*": _("Every event"),
    "case.*": _("Every change to a case"),
    "item.*": _("Every change to an item"),
    "*.problem_*": _("Problems: raised, answered, escalated, closed …"),
    "*.evaluate": _("Ratings of a case or an item"),
    "*.rectification_*": _("Rectification of bad ratings"),
    "*.meeting_*": _("Joint meetings on a case"),
    "*.supervision_*": _("Supervision notices: issued, answered, escalated, referred, "
                         "closed …"),
}

# Issuing creates a notice, so it is no transition of the table; every notice is on an item.
SUPERVISION_EVENTS = [f"supervision_{name}" for name in ("issue", *NOTICE_ACTIONS)]

EVENT_CHOICES = [
    *EVENT_GROUPS.items(),
    ("case.create_application", _("Application created")),
    *((f"case.{name}", action.label) for name, action in CASE_ACTIONS.items()),
    *((f"item.{name}", action.label) for name, action in ITEM_ACTIONS.items()),
    *((f"item.{action}", SUPERVISION_LABELS[action]) for action in SUPERVISION_EVENTS),
]
EVENT_NAMES = frozenset(name for name, _label in EVENT_CHOICES)

# Ledger details passed on in a delivery: references, codes, states and dates only. The rest
# (names, tracking numbers, free text) may be personal and stays in the ledger.
PUBLIC_DETAILS = (
    "added", "removed", "matters", "promised_limit", "planned_start", "planned_end",
    "projected_completion", "due_date", "suspension_reason", "termination_reason", "method",
    "problem", "level", "state", "evaluation", "rating", "rectification", "meeting",
    "meeting_state", "document", "version", "policy", "consultation", "notice", "item_due_date",
    "response_due", "referred_to",
)


def event_name(entry):
    """The event a ledger entry is delivered as."""
    return f"{'item' if entry.item_id else 'case'}.{entry.action}"


def subscribed(patterns, event):
    """Whether an endpoint subscribed to `patterns` receives `event`."""
    return any(fnmatchcase(event, pattern) for pattern in patterns)


def payload(entry, event):
    """The JSON document of one event (identical for every endpoint that receives it)."""
    case, item = entry.case, entry.item
    return {
        "event": event,
        "action": entry.action,
        "occurred_at": entry.at.isoformat(),
        "ledger_entry_id": entry.pk,
        "actor_role": entry.actor_role,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "case": {"id": case.pk, "number": case.number, "state": case.state,
                 "agency": case.agency.code},
        "project": {"id": case.project_id, "code": case.project.code or ""},
        "item": None if item is None else {
            "id": item.pk, "matter_code": item.matter.code, "state": item.state,
        },
        "details": {key: entry.details[key] for key in PUBLIC_DETAILS if key in entry.details},
    }
