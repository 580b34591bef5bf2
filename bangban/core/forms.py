"""What every form of the project shares: Bootstrap classes, service errors on the form, and
selects that render quickly."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


def add_service_error(form, error, rename=None):
    """Puts a service's ValidationError on the form: on the fields it names (`rename` maps a
    model field to the form field showing it), else on top."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        field = rename.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


class BootstrapMixin:
    """Gives widgets Bootstrap 5 classes, so templates render fields plainly
    (templates/partials/_field.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect,
                                   forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class QuickSelect(forms.Select):
    """A select rendered in one pass rather than one template per option: a province's lists
    of specialists and departments run to thousands, and the filters of every list page are
    rendered on every visit."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (str(key), " selected" if str(key) == chosen else "", label)
            for key, label in self.choices))
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", attributes, options)


class _LabelledChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, *labels in self.queryset.values_list("pk", *self.field.label_fields):
            yield (pk, next((label for label in labels if label), ""))


class LabelledModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options are read as rows of the primary key and `label_fields`
    (the first that is not empty labels the option) instead of model instances: building an
    instance for each of a province's hundreds of specialists cost more than the rest of the
    dashboard. The chosen value is still checked against the queryset."""

    iterator = _LabelledChoices
    widget = QuickSelect

    def __init__(self, *args, label_fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_fields = label_fields
