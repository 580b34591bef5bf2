"""Display helpers for case pages: ledger labels and details, the items table's rows."""

from functools import cache
from html import escape

from django import template
from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Role
from bangban.audit.masking import shown_phone
from bangban.cases.models import (
    HandoverMethod,
    SpecialProcedureKind,
    SuspensionReason,
    TerminationReason,
)
from bangban.cases.workflow import CASE_ACTIONS, ITEM_ACTIONS, CaseState, ItemState
from bangban.core.tables import table_day
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


@register.filter
def role_label(value):
    try:
        return Role(value).label
    except ValueError:
        return OTHER_ROLE_LABELS.get(value, value)


# The light and the items table's rows are written here, with f-strings rather than
# format_html (several times faster): every value goes through _text, which escapes as
# `{{ value }}` does (django.utils.html.escape is this same call, behind a wrapper for lazy
# strings that costs more than the escaping). Messages are translated outside the f-strings,
# where makemessages finds them.


def _text(value):
    return escape(str(value))


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
    level, label = _text(level), _text(label)
    if not paused:
        return mark_safe(
            f'<span class="warning-light warning-light-{level}" data-warning="{level}" '
            f'title="{label}"><span class="warning-dot" aria-hidden="true">●</span> '
            f'<span class="warning-label small">{label}</span></span>\n')
    clock_paused, paused_note = _text(gettext("clock paused")), _text(gettext("paused"))
    return mark_safe(
        f'<span class="warning-light warning-light-{level} is-paused" data-warning="{level}" '
        f'title="{label} · {clock_paused}"><span class="warning-dot" aria-hidden="true">●</span> '
        f'<span class="warning-label small">{label}</span> '
        f'<span class="small text-body-secondary">({paused_note})</span></span>\n')


# ------------------------------------------------------------------ the case page's items table


@register.simple_tag
def item_row(row, sees_personal_data):
    """`{% item_row row sees_personal_data %}`: one row of the case page's items table
    (cases/partials/_items.html), `row` being one of the view's item_rows ({item, actions,
    notice, clock}). Built here rather than in the template: the items are the page's one long
    loop, and as template tags (a few dozen a row) they cost as much as the rest of the page's
    markup together."""
    item = row["item"]
    department = _text(item.department.name)
    if item.department.phone:
        phone = _text(shown_phone(item.department.phone, sees_personal_data))
        department += f'<div class="small text-body-secondary">{phone}</div>'
    limit = f'{item.promised_limit} {_text(item.get_limit_unit_display())}'
    planned = f"{table_day(item.planned_start)} – {table_day(item.planned_end)}"
    return mark_safe(f"""<tr id="item-{item.pk}">
<td>
{_matter(item)}
</td>
<td>{department}</td>
<td class="text-end text-nowrap">{limit}</td>
<td>
{_state(item, row["notice"])}
</td>
<td class="small" data-clock>{_clock(item, row["clock"])}</td>
<td class="small text-nowrap">{planned}</td>
<td class="small">
{_result(item)}
</td>
<td>{_item_actions(item, row["actions"])}</td>
</tr>
""")


def _matter(item):
    notes = _text(item.matter.stage.name)
    if item.accepted_with_gaps:
        notes += " · " + _text(gettext("accepted with gaps (容缺受理)"))
    if item.commitment_based:
        notes += " · " + _text(gettext("commitment-based (告知承诺)"))
    lines = [
        f"<div>{_text(item.matter.name)}</div>",
        f'<div class="small text-body-secondary">{notes}</div>',
    ]
    if item.prerequisite_items:
        label = _text(gettext("runs after"))
        before = "、".join(_text(p.matter.name) for p in item.prerequisite_items)
        lines.append(f'<div class="small text-body-secondary">{label}: {before}</div>')
    if item.materials:
        label = _text(gettext("required materials"))
        lines.append(_folded_list(f"{label} ({len(item.materials)})", item.materials))
    return "\n".join(lines)


def _folded_list(summary, entries, attributes=""):
    """A list folded under its `summary` (already escaped); the entries escaped here."""
    shown = "".join(f"<li>{_text(entry)}</li>" for entry in entries)
    return (f'<details class="small"{attributes}><summary>{summary}</summary>\n'
            f'<ul class="mb-0 ps-3">{shown}</ul>\n</details>')


def _state(item, notice):
    lines = [f'<span class="badge badge-state-{_text(item.state)}">'
             f'{_text(item.get_state_display())}</span>']
    if notice:
        url = reverse("supervision:detail", args=[notice.pk])
        number = _text(notice.number)
        lines.append(
            f'<div class="mt-1"><a class="badge badge-notice-{_text(notice.level)} '
            f'text-decoration-none" href="{url}" data-notice-link="{number}">'
            f"{_text(notice.get_level_display())} {number}</a></div>")
    for request in item.open_supplement_requests:
        missing, due = _text(gettext("what is missing")), ""
        if request.due_date:
            due = " · " + _text(gettext("supply by")) + " " + table_day(request.due_date)
        lines.append(f'<div class="small text-warning-emphasis mt-1">'
                     f"{missing}: {_text(request.reason)}{due}</div>")
    if item.refusal_reason:
        lines.append(f'<div class="small text-danger mt-1">{_text(item.refusal_reason)}</div>')
    if item.state == "withdrawn" and item.withdrawal_reason:
        lines.append(f'<div class="small text-body-secondary mt-1">'
                     f"{_text(item.withdrawal_reason)}</div>")
    return "\n".join(lines)


def _clock(item, clock):
    """The item's clock (deadlines.item_clock.read_item_clock): its light, due date, days and
    how they were counted; the days used of a withdrawn item; else a dash."""
    if not clock:
        if item.days_used is None:
            return "—"
        days = ngettext("%(days)s day used", "%(days)s days used", item.days_used)
        return f'<span class="text-body-secondary">{_text(days % {"days": item.days_used})}</span>'
    provisional = ""
    if clock.provisional:
        label = _text(gettext("provisional"))
        provisional = f' <span class="text-body-secondary" title="{label}">*</span>'
    used = gettext("%(used)s of %(total)s used") % {"used": clock.used, "total": clock.total}
    if clock.overdue:
        days = ngettext("%(days)s day overdue", "%(days)s days overdue", clock.overdue)
        days = f'<span class="text-danger">{_text(days % {"days": clock.overdue})}</span>'
    else:
        days = _text(ngettext("%(days)s left", "%(days)s left", clock.left) % {"days": clock.left})
    due = _text(gettext("due"))
    lines = [
        f"<div>{warning_light(item.warning_level, clock.paused)}</div>",
        f'<div class="text-nowrap">{due} <span data-due-date>'
        f'{table_day(clock.due_date, none="")}</span>{provisional}</div>',
        f'<div class="text-nowrap" data-days>{_text(used)} · {days}</div>',
    ]
    if clock.paused:
        label = _text(gettext("clock paused"))
        lines.append(f'<div class="text-body-secondary">{label}</div>')
    if clock.notes:
        lines.append(_folded_list(_text(gettext("how it was counted")),
                                  [note.text for note in clock.notes], " data-clock-notes"))
    return "\n" + "\n".join(lines) + "\n"


def _result(item):
    lines = []
    if item.result_number:
        lines.append(f'<span class="font-monospace">{_text(item.result_number)}</span>')
    if item.result_document_id:
        url = reverse("documents:download", args=[item.result_document_id])
        label = _text(gettext("Download"))
        lines.append(f'<div><a href="{url}">{label}</a></div>')
    return "\n".join(lines) or "—"


def _item_actions(item, actions):
    """The item's action buttons; their forms open in #action-modal through htmx."""
    if not actions:
        return ""
    links = []
    for action in actions:
        url = reverse("cases:item_action", args=[item.pk, action.name])
        links.append(
            f'<a class="btn btn-sm btn-outline-{action.style} py-0" href="{url}" '
            f'data-item-action="{action.name}"\n   hx-get="{url}" '
            f'hx-target="#action-modal-content" data-bs-toggle="modal" '
            f'data-bs-target="#action-modal">{_text(action.label)}</a>')
    return '\n<div class="d-flex flex-wrap gap-1">\n' + "\n".join(links) + "\n</div>\n"
