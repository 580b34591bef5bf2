from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin
from bangban.policies.models import Policy, PolicyTag


class PolicySearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=PolicyTag.objects.all(),
                                 to_field_name="slug", required=False,
                                 empty_label=_("All tags"))

    def filters(self):
        if not self.is_valid():
            return {"query": "", "tag": None}
        return {"query": self.cleaned_data["q"], "tag": self.cleaned_data["tag"]}


class LinkPolicyForm(BootstrapMixin, forms.Form):
    policy = forms.ModelChoiceField(label=_("Policy"), queryset=Policy.objects.none())
    note = forms.CharField(label=_("Note for the company"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Why the policy matters for this project (optional)."))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = (Policy.objects.filter(is_published=True)
                                          .exclude(case_links__case=case))

    def service_kwargs(self):
        return {"policy": self.cleaned_data["policy"], "note": self.cleaned_data["note"]}
