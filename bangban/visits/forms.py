"""Forms for recording a visit or activity, the list's filter and the statistics' period."""


from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.cases.selectors import cases_visible_to
from bangban.companies.models import Company
from bangban.core.forms import BootstrapMixin
from bangban.visits.models import ActivityKind
from bangban.visits.quarters import Quarter


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, agency):
        return agency.name


class ActivityFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("All kinds")), *ActivityKind.choices])

    def filters(self):
        return dict(self.cleaned_data) if self.is_valid() else {}


class ActivityForm(BootstrapMixin, forms.Form):
    """A visit or activity. Companies are named by credit code, one a line, and the case by its
    number: lists of every company or case would be long and show them all."""

    agency = AgencyField(label=_("agency"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("kind"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("held on"),
                              widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("title"), max_length=200)
    location = forms.CharField(label=_("location"), max_length=255, required=False)
    participants_count = forms.IntegerField(label=_("participants"), min_value=1,
                                            max_value=100000)
    credit_codes = forms.CharField(
        label=_("companies (credit codes)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The unified social credit codes of the companies taking part, one a "
                    "line."),
    )
    case_number = forms.CharField(
        label=_("case number"), max_length=32, required=False,
        help_text=_("For a return visit after a case or a bad evaluation: the case's number."),
    )
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = agencies
        self.only_agency = None
        first_two = list(agencies[:2])
        if len(first_two) == 1:
            self.only_agency = first_two[0]
            del self.fields["agency"]

    def clean_credit_codes(self):
        codes = [line.strip().upper() for line in self.cleaned_data["credit_codes"].splitlines()
                 if line.strip()]
        companies = {c.credit_code: c for c in Company.objects.filter(credit_code__in=codes)}
        unknown = [code for code in codes if code not in companies]
        if unknown:
            raise forms.ValidationError(
                _("No registered company has the code %(codes)s.")
                % {"codes": "、".join(unknown)})
        return list(companies.values())

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        if not number:
            return None
        case = cases_visible_to(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case you can see has this number."))
        return case

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["agency"] = self.only_agency or data["agency"]
        data["companies"] = data.pop("credit_codes")
        data["case"] = data.pop("case_number")
        return data


def _default_quarter():
    return Quarter.of(timezone.localdate()).previous()


class StatisticsForm(BootstrapMixin, forms.Form):
    agency = AgencyField(label=_("agency"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("quarter"), coerce=int,
                                     choices=[(n, f"Q{n}") for n in range(1, 5)])

    def __init__(self, data, *, agencies):
        default = _default_quarter()
        first = agencies.first()
        merged = {"year": default.year, "quarter": default.number,
                  "agency": first.pk if first else ""}
        merged.update({key: value for key, value in data.items() if value})
        super().__init__(merged)
        self.fields["agency"].queryset = agencies

    def period(self):
        """(agency, Quarter), or None when the choice is not valid."""
        if not self.is_valid():
            return None
        return self.cleaned_data["agency"], Quarter(self.cleaned_data["year"],
                                                    self.cleaned_data["quarter"])
