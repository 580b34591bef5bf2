from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.catalog.models import Stage
from bangban.core.forms import BootstrapMixin


class CatalogSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.all(),
                                   to_field_name="code", required=False,
                                   empty_label=_("All stages"))

    def filters(self):
        if not self.is_valid():
            return {"query": "", "stage": None}
        return {"query": self.cleaned_data["q"], "stage": self.cleaned_data["stage"]}


class ProgressQueryForm(BootstrapMixin, forms.Form):
    project_code = forms.CharField(label=_("Project code"), max_length=24,
                                   help_text=_("e.g. 2026-371602-47-01-000123"))
    query_code = forms.CharField(label=_("Query code"), max_length=16,
                                 help_text=_("Ask your specialist for it."))


class ContactCardForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    staff_number = forms.CharField(label=_("Staff number"), max_length=32, required=False)
    title = forms.CharField(label=pgettext_lazy("job", "Title"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    email = forms.EmailField(label=_("E-mail"), required=False)
    services = forms.CharField(label=_("Services"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("What you help with, one per line."))
    photo = forms.FileField(label=_("Photo"), required=False,
                            help_text=_("JPEG, PNG or WebP, at most 2 MB."))
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    is_published = forms.BooleanField(label=_("Publish the card"), required=False,
                                      help_text=_("Published cards are shown to everyone, "
                                                  "with your phone number."))

    def service_kwargs(self):
        return dict(self.cleaned_data)
