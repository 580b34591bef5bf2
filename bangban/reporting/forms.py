from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin
from bangban.reporting.periods import KINDS, MONTH, NUMBERS, YEAR, Period


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, agency):
        return agency.name


class StatisticsForm(BootstrapMixin, forms.Form):
    """The agency and the period of the statistics table; by default the first agency the
    user reads and the current month."""

    agency = AgencyField(label=_("agency"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("period"), choices=KINDS)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    number = forms.TypedChoiceField(
        label=_("month or quarter"), coerce=int, required=False,
        choices=[(n, str(n)) for n in range(1, 13)],
        help_text=_("Month 1–12 or quarter 1–4; ignored for a year."))

    def __init__(self, data, *, agencies):
        today = timezone.localdate()
        first = agencies.first()
        merged = {"kind": MONTH, "year": today.year, "number": today.month,
                  "agency": first.pk if first else ""}
        merged.update({key: value for key, value in data.items() if value})
        super().__init__(merged)
        self.fields["agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != YEAR and not 1 <= (data.get("number") or 0) <= NUMBERS[kind]:
            self.add_error("number", _("Choose a month from 1 to 12 or a quarter from 1 to 4."))
        return data

    def period(self):
        """(agency, Period), or None when the choice is not valid."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        number = 1 if data["kind"] == YEAR else data["number"]
        return data["agency"], Period(data["kind"], data["year"], number)
