"""Display helpers for case pages: ledger labels and details."""

from functools import cache

from django import template
from django.apps import apps
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Role
from bangban.cases.models import (
    HandoverMethod,
    SpecialProcedureKind,
    SuspensionReason,
    TerminationReason,
)
from bangban.cases.workflow import CASE_ACTIONS, ITEM_ACTIONS, CaseState, ItemState
from bangban.deadlines.models import WarningLevel

register = template.Library()

# Ledger roles that are not a user's role: the platform acting by itself (accounts/system.py).
OTHER_ROLE_LABELS = {
    "system": _("System"),
}

# Ledger actions that are not workflow actions.
OTHER_ACTION_LABELS = {
    "create_application": _("Application created"),
}


@cache
def _app_ledger_labels():
    """Labels of the ledger actions other apps write (supervision, problems …): an app names
    its dict of {action: label} by dotted path in its AppConfig's `ledger_labels`."""
    labels = {}
    for config in apps.get_app_configs():
        path = getattr(config, "ledger_labels", None)
        if path:
            labels.update(import_string(path))
    return labels


@register.filter
def ledger_action(entry):
    action = None
    if entry.item_id:
        action = ITEM_ACTIONS.get(entry.action)
    action = action or CASE_ACTIONS.get(entry.action)
    if action is not None:
        return action.label
    return OTHER_ACTION_LABELS.get(entry.action) or _app_ledger_labels().get(
        entry.action, entry.action)


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


# Ledger details shown on the page, in this order: (key, label, choices whose label to show).
LEDGER_DETAILS = [
    ("added", _("added to the plan"), None),
    ("removed", _("removed from the plan"), None),
    ("promised_limit", _("promised time limit"), None),
    ("planned_start", _("planned start"), None),
    ("planned_end", _("planned end"), None),
    ("signed_on", _("signed on"), None),
    ("due_date", _("supply by"), None),
    ("result_number", _("result document number"), None),
    ("method", _("handover of results"), HandoverMethod),
    ("tracking_number", _("tracking number"), None),
    ("suspension_reason", _("reason for suspension"), SuspensionReason),
    ("special_procedure", _("special procedure"), SpecialProcedureKind),
    ("extended_days", _("extended by (days)"), None),
    ("item_due_date", _("due date"), None),
    ("warning_level", _("warning light"), WarningLevel),
    ("days_used", _("days used"), None),
    ("termination_reason", _("reason for termination"), TerminationReason),
    ("notice", _("supervision notice"), None),
    ("response_due", _("reply due by"), None),
]


@register.filter
def ledger_details(entry):
    """What a ledger entry recorded besides its reason, as "label: value" lines: what a plan
    edit changed, the document uploaded, the result number, the tracking number …"""
    details = entry.details or {}
    lines = []
    for key, label, choices in LEDGER_DETAILS:
        value = details.get(key)
        if value in (None, ""):
            continue
        if key in ("added", "removed"):
            value = details.get("matter") or value  # the matter's name when recorded
        elif choices is not None:
            try:
                value = choices(value).label
            except ValueError:
                pass
        # Translators: one detail of a ledger entry, e.g. "tracking number: SF100200300".
        lines.append(gettext("%(label)s: %(value)s") % {"label": label, "value": value})
    if details.get("title") and entry.action == "upload_material":
        lines.append(f"{details['title']} v{details.get('version', 1)}")
    return lines


@cache
def _choice_labels(model, field_name):
    return dict(model._meta.get_field(field_name).flatchoices)


@register.filter
def choice_label(instance, field_name):
    """`{{ item|choice_label:"state" }}` shows what `{{ item.get_state_display }}` does, without
    rebuilding the field's choices on every call: the case page calls it for each row."""
    value = getattr(instance, field_name)
    return _choice_labels(type(instance), field_name).get(value, value)


@register.filter
def role_label(value):
    try:
        return Role(value).label
    except ValueError:
        return OTHER_ROLE_LABELS.get(value, value)


@register.simple_tag
def warning_light(level, paused=False):
    """A coloured light with its label (green / yellow / red), greyed while the clock is
    paused; nothing for an item or case without a running clock. Built here rather than from
    a template: lists show one per row, and a template per row costs more than the row."""
    if not level:
        return "\n"
    try:
        label = WarningLevel(level).label
    except ValueError:
        label = level
    if not paused:
        return format_html(
            '<span class="warning-light warning-light-{}" data-warning="{}" title="{}">'
            '<span class="warning-dot" aria-hidden="true">●</span> '
            '<span class="warning-label small">{}</span></span>\n', level, level, label, label)
    return format_html(
        '<span class="warning-light warning-light-{} is-paused" data-warning="{}" '
        'title="{} · {}"><span class="warning-dot" aria-hidden="true">●</span> '
        '<span class="warning-label small">{}</span> '
        '<span class="small text-body-secondary">({})</span></span>\n',
        level, level, label, gettext("clock paused"), label, gettext("paused"))
