from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.audit.models import AuditKind
from bangban.core.forms import BootstrapMixin


class AuditFilterForm(BootstrapMixin, forms.Form):
    date_from = forms.DateField(label=_("from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label=_("user name"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("All kinds")), *AuditKind.choices])

    def filters(self):
        """The valid filters; an invalid one is dropped (the form shows its error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items()
                if value}
