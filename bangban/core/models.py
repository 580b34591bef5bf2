from functools import cache

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


@cache
def _choice_labels(field):
    return dict(field.flatchoices)


class ChoiceLabelsMixin:
    """`get_FOO_display()` from a dict of the field's choices built once per process. Django
    builds it on every call and, to hash it, translates every label of the field: a list page
    calling it for each row spent more on that than on anything else. The labels stay lazy, so
    each call still answers in the active language."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(value, value), strings_only=True)


class TimeStampedModel(ChoiceLabelsMixin, models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
