"""Checks every service makes of its input, raising Django's ValidationError on the field."""

from django.core.exceptions import ValidationError


def required_text(value, field, message):
    """`value` stripped of surrounding space; `message` on `field` when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value
