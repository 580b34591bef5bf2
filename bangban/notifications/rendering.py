"""Filling in the placeholders of a notification template.

Templates are edited by administrators, so they get plain placeholders — `{{ project_name }}` —
and nothing else: no tags, no attribute lookups, nothing that could reach into the database.
An unknown placeholder is refused when the template is saved; a known one without a value
renders as an empty string.
"""

import re

from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

PLACEHOLDERS = {
    "subject": _("the subject the application gives for this event"),
    "body": _("the message text the application gives for this event"),
    "recipient": _("the recipient's name"),
    "case_number": _("case number"),
    "project_name": _("project name"),
    "company_name": _("company name"),
    "agency_name": _("agency name"),
    "agency_phone": _("agency phone"),
    "specialist_name": _("responsible specialist's name"),
    "specialist_phone": _("responsible specialist's phone"),
    "item": _("approval item (matter) name, where the event concerns one item"),
    "reason": _("reason given, where there is one"),
}


def unknown_placeholders(text):
    return sorted({name for name in PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def render(text, context):
    """`text` with every placeholder replaced by its value from `context` (or "")."""
    return PLACEHOLDER.sub(lambda match: str(context.get(match.group(1)) or ""), text or "")


def placeholder_help():
    return "; ".join(f"{{{{ {name} }}}}: {label}" for name, label in PLACEHOLDERS.items())
