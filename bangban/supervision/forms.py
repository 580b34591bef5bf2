"""Forms for the notice list's filters and the notice actions. Each action form's fields are
its service's keyword arguments (`service(notice=…, by=…, **form.service_kwargs())`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin, QuickSelect
from bangban.supervision.workflow import NoticeLevel, NoticeState, ReferralBody


class NoticeFilterForm(BootstrapMixin, forms.Form):
    level = forms.ChoiceField(label=_("level"), required=False, widget=QuickSelect,
                              choices=[("", _("All levels")), *NoticeLevel.choices])
    state = forms.ChoiceField(label=_("state"), required=False, widget=QuickSelect,
                              choices=[("", _("All states")), *NoticeState.choices])

    def filters(self):
        if not self.is_valid():
            return {}
        return {"level": self.cleaned_data["level"], "state": self.cleaned_data["state"]}


def _text(label, help_text="", required=True):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           widget=forms.Textarea(attrs={"rows": 4}))


class NoticeActionForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, notice, **kwargs):
        self.notice = notice
        super().__init__(*args, **kwargs)

    def service_kwargs(self):
        return dict(self.cleaned_data)


class ReplyForm(NoticeActionForm):
    reply = _text(_("reply"), _("Why the item is late, what has been done, and the date it "
                                "will be decided."))


class ReturnReplyForm(NoticeActionForm):
    reason = _text(_("what the reply leaves unanswered"))


class EscalateForm(NoticeActionForm):
    note = _text(_("note"), required=False)


class ReferForm(NoticeActionForm):
    referred_to = forms.ChoiceField(label=_("refer to"), choices=ReferralBody.choices)
    note = _text(_("reason for the referral"))


class CloseForm(NoticeActionForm):
    note = _text(_("how the matter was settled"))


NOTICE_ACTION_FORMS = {
    "reply": ReplyForm,
    "return_reply": ReturnReplyForm,
    "escalate": EscalateForm,
    "refer": ReferForm,
    "close": CloseForm,
}
