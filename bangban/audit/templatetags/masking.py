"""`{{ number|masked_phone:sees_personal_data }}`, `{{ id|masked_id_number:sees_personal_data }}`:
the value whole for a viewer who needs it, else masked (bangban/audit/masking.py)."""

from django import template

from bangban.audit import masking

register = template.Library()


@register.filter
def masked_phone(value, full=False):
    return masking.shown_phone(value, full)


@register.filter
def masked_id_number(value, full=False):
    return masking.shown_id_number(value, full)
