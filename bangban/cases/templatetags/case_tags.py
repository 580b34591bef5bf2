"""Display helpers for case pages: masked phone numbers and ledger labels."""

import re

from django import template
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Role
from bangban.cases.workflow import CASE_ACTIONS, ITEM_ACTIONS, CaseState, ItemState

register = template.Library()

# Ledger actions that are not workflow actions.
OTHER_ACTION_LABELS = {
    "create_application": _("Application created"),
}


@register.filter
def mask_phone(value):
    """138****1234: keeps the first three and last four digits of a number of 8 or more."""
    value = str(value or "")
    digits = re.sub(r"\D", "", value)
    if len(digits) < 8:
        return "*" * len(value)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


@register.filter
def phone(value, masked):
    """`{{ number|phone:mask_phones }}`: the number, masked when the viewer must not see it."""
    return mask_phone(value) if masked else value


@register.filter
def ledger_action(entry):
    action = None
    if entry.item_id:
        action = ITEM_ACTIONS.get(entry.action)
    action = action or CASE_ACTIONS.get(entry.action)
    if action is not None:
        return action.label
    return OTHER_ACTION_LABELS.get(entry.action, entry.action)


@register.filter
def ledger_state(value, entry):
    """A ledger entry's from/to state as its label; item entries hold item states."""
    if not value:
        return ""
    states = ItemState if entry.item_id and entry.action != "log_contact" else CaseState
    try:
        return states(value).label
    except ValueError:
        return value


@register.filter
def role_label(value):
    try:
        return Role(value).label
    except ValueError:
        return value
