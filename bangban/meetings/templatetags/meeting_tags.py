"""Display helpers for meeting pages."""

from django import template

from bangban.meetings.workflow import ENTRY_LABELS

register = template.Library()


@register.filter
def meeting_entry_label(action):
    """The label of an action in a meeting's own record."""
    return ENTRY_LABELS.get(action, action)
