"""Forms for the problem list's filters, raising a problem and the problem actions. Each form's
fields are its service's keyword arguments (`service(problem=…, by=…, **form.service_kwargs())`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin
from bangban.problems.workflow import ProblemLevel, ProblemState


class ProblemFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label=_("state"), required=False,
                              choices=[("", _("All states")), *ProblemState.choices])
    level = forms.TypedChoiceField(label=_("level"), required=False, coerce=int,
                                   empty_value=None,
                                   choices=[("", _("All levels")), *ProblemLevel.choices])
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def filters(self):
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)


def _text(label, help_text="", required=True, rows=4):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}))


class _ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.matter.name} · {item.department.name}"


class RaiseProblemForm(BootstrapMixin, forms.Form):
    """意见反馈表 (Qujiang 附件5): the item or the department, what is wrong, what is wanted."""

    item = _ItemChoiceField(label=_("item"), queryset=None, required=False,
                            empty_label=_("— the case as a whole —"))
    department = forms.ModelChoiceField(
        label=_("department"), queryset=None, required=False,
        help_text=_("When an item is chosen, its department; otherwise choose one."),
    )
    title = forms.CharField(label=_("title"), max_length=200)
    description = _text(_("what is wrong"),
                        _("What happened, since when, and where the matter is stuck."))
    requested_outcome = _text(_("what the company wants"), rows=3)
    attachment = forms.FileField(label=_("attachment"), required=False,
                                 help_text=_("Optional: a letter, a photo, a drawing (PDF, "
                                             "image or office document)."))

    def __init__(self, *args, items, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["department"].queryset = departments

    def service_kwargs(self):
        return dict(self.cleaned_data)


class ProblemActionForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, problem, **kwargs):
        self.problem = problem
        super().__init__(*args, **kwargs)

    def service_kwargs(self):
        return dict(self.cleaned_data)


class AnswerForm(ProblemActionForm):
    answer = _text(_("answer"), _("What will be done about the problem, by whom and by when."))


class RelayForm(ProblemActionForm):
    answer = _text(_("answer to the company"),
                   _("The company reads this text; it starts as the department's answer."),
                   rows=6)


class EscalateForm(ProblemActionForm):
    reason = _text(_("why the next level is needed"))


class FeedbackLetterForm(ProblemActionForm):
    addressee = forms.CharField(label=_("addressed to"), max_length=200,
                                help_text=_("The body that can settle the request."))
    content = _text(_("content"), rows=8)
    sent_on = forms.DateField(label=_("sent on"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Today when left empty."))


class ConfirmForm(ProblemActionForm):
    pass


class ReopenForm(ProblemActionForm):
    reason = _text(_("what is still not resolved"))


class CloseForm(ProblemActionForm):
    reason = _text(_("reason for closing"),
                   _("Why the problem is closed without the company's confirmation (for "
                     "example: the company cannot be reached)."))


PROBLEM_ACTION_FORMS = {
    "answer": AnswerForm,
    "relay": RelayForm,
    "escalate": EscalateForm,
    "feedback_letter": FeedbackLetterForm,
    "confirm": ConfirmForm,
    "reopen": ReopenForm,
    "close": CloseForm,
}
