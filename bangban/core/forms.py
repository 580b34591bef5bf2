"""What every form of the project shares: Bootstrap classes and service errors on the form."""

from django import forms


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
