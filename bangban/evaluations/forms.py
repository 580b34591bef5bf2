"""Forms for rating, the rectification actions and the list filters. Each action form's
fields are its service's keyword arguments (`service(…, **form.service_kwargs())`)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin
from bangban.evaluations.workflow import (
    EvaluationChannel,
    Rating,
    RectificationState,
    is_bad,
)


def _text(label, help_text="", required=True, rows=4):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}))


class EvaluationForm(BootstrapMixin, forms.Form):
    """The rating, from the portal (the company's own contact) or at the window (`window`:
    staff name the company contact who gave it)."""

    rating = forms.TypedChoiceField(label=_("rating"), choices=Rating.choices, coerce=int,
                                    widget=forms.RadioSelect)
    comment = _text(_("comment"), _("Required for “Dissatisfied” and “Very dissatisfied”: "
                                     "say what went wrong."), required=False)

    def __init__(self, *args, case, window=False, **kwargs):
        self.window = window
        super().__init__(*args, **kwargs)
        if window:
            self.fields["contact"] = forms.ModelChoiceField(
                label=_("rated by (company contact)"),
                queryset=case.project.company.contacts.order_by("-is_representative", "name"),
            )
            self.fields["contact"].widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        if is_bad(cleaned.get("rating")) and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say what was wrong: a bad rating needs a comment."))
        return cleaned

    def service_kwargs(self):
        kwargs = {"rating": self.cleaned_data["rating"], "comment": self.cleaned_data["comment"]}
        if self.window:
            kwargs.update(channel=EvaluationChannel.WINDOW, contact=self.cleaned_data["contact"])
        else:
            kwargs["channel"] = EvaluationChannel.PORTAL
        return kwargs


class RectificationActionForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, rectification, **kwargs):
        self.rectification = rectification
        super().__init__(*args, **kwargs)

    def service_kwargs(self):
        return dict(self.cleaned_data)


class VerifyForm(RectificationActionForm):
    founded = forms.TypedChoiceField(
        label=_("the complaint is"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Founded: it will be rectified")),
                 ("no", _("Unfounded: it will be explained to the company"))],
    )
    finding = _text(_("finding of the verification"))


class RectifyForm(RectificationActionForm):
    measures = _text(_("rectification measures"))


class ReturnVisitForm(RectificationActionForm):
    feedback = _text(_("the company's feedback"),
                     _("Who was visited or called, when, and what the company said."))


class CloseForm(RectificationActionForm):
    note = _text(_("closing note"), required=False, rows=3)


RECTIFICATION_ACTION_FORMS = {
    "verify": VerifyForm,
    "rectify": RectifyForm,
    "return_visit": ReturnVisitForm,
    "close": CloseForm,
}


class EvaluationFilterForm(BootstrapMixin, forms.Form):
    rating = forms.TypedChoiceField(label=_("rating"), required=False, coerce=int,
                                    empty_value=None,
                                    choices=[("", _("All ratings")), *Rating.choices])
    channel = forms.ChoiceField(label=_("channel"), required=False,
                                choices=[("", _("All channels")), *EvaluationChannel.choices])
    bad_only = forms.BooleanField(label=_("bad ratings only"), required=False)

    def filters(self):
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)


class RectificationFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label=_("state"), required=False,
                              choices=[("", _("All states")), *RectificationState.choices])
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def filters(self):
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)


class PeriodForm(BootstrapMixin, forms.Form):
    """A period of days, by default from the first of the year to today."""

    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        super().__init__(data if data and ("start" in data or "end" in data) else None,
                         initial={"start": datetime.date(today.year, 1, 1), "end": today},
                         **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return cleaned

    def period(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.initial["start"], self.initial["end"]
