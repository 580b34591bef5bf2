import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin, LabelledModelChoiceField
from bangban.dashboards import selectors


class Period:
    MONTH, QUARTER, YEAR, ALL, CUSTOM = "month", "quarter", "year", "all", "custom"
    CHOICES = [
        (YEAR, _("This year")),
        (QUARTER, _("This quarter")),
        (MONTH, _("This month")),
        (ALL, _("All time")),
        (CUSTOM, _("From … to …")),
    ]


def period_days(period, today):
    """(first day, last day) of a named period that contains `today`; (None, None) for all."""
    if period == Period.MONTH:
        start = today.replace(day=1)
    elif period == Period.QUARTER:
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    elif period == Period.YEAR:
        start = today.replace(month=1, day=1)
    else:
        return None, None
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
    year, month = divmod(start.month - 1 + months, 12)
    return start, datetime.date(start.year + year, month + 1, 1) - datetime.timedelta(days=1)


class DashboardFilterForm(BootstrapMixin, forms.Form):
    """The dashboard's filters, the same on the dashboard and on every list behind it; every
    field is optional, the period is this year unless chosen."""

    agency = LabelledModelChoiceField(label=_("agency"), required=False, queryset=None,
                                      empty_label=_("All my agencies"), label_fields=["name"])
    below = forms.ChoiceField(label=_("agencies below"), required=False, choices=[
        ("1", _("Including the agencies below")), ("0", _("This agency only"))])
    department = LabelledModelChoiceField(label=_("department"), required=False, queryset=None,
                                          empty_label=_("All departments"),
                                          label_fields=["name"])
    # As User.display_name: the full name, else the user name.
    specialist = LabelledModelChoiceField(label=_("specialist"), required=False, queryset=None,
                                          empty_label=_("All specialists"),
                                          label_fields=["full_name", "username"])
    period = forms.ChoiceField(label=_("period"), required=False, choices=Period.CHOICES)
    start = forms.DateField(label=_("from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["agency"].queryset = selectors.filter_agencies(user)
        self.fields["department"].queryset = selectors.filter_departments(user)
        self.fields["specialist"].queryset = selectors.filter_specialists(user)

    def clean(self):
        cleaned = super().clean()
        cleaned["period"] = cleaned.get("period") or Period.YEAR
        if cleaned["period"] == Period.CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not (start and end):
                if "start" not in self.errors and "end" not in self.errors:
                    self.add_error("end", _("Give the first and the last day of the period."))
            elif start > end:
                self.add_error("end", _("The end of the period is before its start."))
        return cleaned

    def filters(self):
        """The valid form's `selectors.Filters`."""
        data = self.cleaned_data
        if data["period"] == Period.CUSTOM:
            start, end = data["start"], data["end"]
        else:
            start, end = period_days(data["period"], timezone.localdate())
        return selectors.Filters(
            agency=data["agency"], below=data["below"] != "0", department=data["department"],
            specialist=data["specialist"], start=start, end=end,
        )
