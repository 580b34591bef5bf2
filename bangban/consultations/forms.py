"""Forms for logging, answering and converting consultations, and the list's filters. Each
action form's fields are its service's keyword arguments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangban.cases.application_forms import ContactChoiceField, ProjectChoiceField
from bangban.cases.models import ServiceMode, ServiceScope
from bangban.catalog.models import Matter, Stage
from bangban.companies.models import Company, CompanyContact
from bangban.consultations.workflow import Channel
from bangban.core.forms import BootstrapMixin
from bangban.projects.selectors import projects_visible_to

ANSWERED_CHOICES = [("", _("Answered or not")), ("yes", _("Answered")), ("no", _("Not answered"))]


class ConsultationFilterForm(BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(label=_("channel"), required=False,
                                choices=[("", _("All channels")), *Channel.choices])
    answered = forms.ChoiceField(label=_("answered"), required=False, choices=ANSWERED_CHOICES)

    def filters(self):
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)


def _text(label, help_text="", required=True, rows=4):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}))


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, agency):
        return agency.name


class ConsultationForm(BootstrapMixin, forms.Form):
    """A new consultation. `agencies` are those the user logs consultations for; with one, it
    is not asked. The company, when the asker's company is registered, is looked up by its
    credit code (a list of every company would be long and would show them all)."""

    agency = AgencyField(label=_("agency"), queryset=None, empty_label=None)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    asker_name = forms.CharField(label=_("asker's name"), max_length=64)
    asker_company_name = forms.CharField(label=_("asker's company"), max_length=128,
                                         required=False)
    asker_phone = forms.CharField(label=_("asker's phone"), max_length=32, required=False)
    credit_code = forms.CharField(
        label=_("unified social credit code"), max_length=18, required=False,
        help_text=_("If the company is registered on the platform, its code links the "
                    "consultation to it."),
    )
    project_hint = forms.CharField(label=_("project (as told)"), max_length=255,
                                   required=False)
    question = _text(_("question"))
    answer = _text(_("answer"), _("Leave empty if the question is answered later; you stay "
                                  "responsible for it until then."), required=False)
    service_recommended = forms.BooleanField(
        label=_("The assistance service was recommended"), required=False,
        help_text=_("Required at a company's first inquiry (Qujiang rules, article 21)."),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.only_agency = None
        first_two = list(agencies[:2])
        if len(first_two) == 1:
            self.only_agency = first_two[0]
            del self.fields["agency"]

    def clean_credit_code(self):
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        if not code:
            return None
        company = Company.objects.filter(credit_code=code).first()
        if company is None:
            raise forms.ValidationError(_("No registered company has this code; leave it "
                                          "empty and write the company's name."))
        return company

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["agency"] = self.only_agency or data["agency"]
        data["company"] = data.pop("credit_code")
        return data


class AnswerForm(BootstrapMixin, forms.Form):
    answer = _text(_("answer"))

    def service_kwargs(self):
        return dict(self.cleaned_data)


class ConvertForm(BootstrapMixin, forms.Form):
    """The draft application prepared for a company contact; the choices hold only projects
    the user sees (of the asker's company, once known) and contacts with an account."""

    project = ProjectChoiceField(
        label=_("project"), queryset=None,
        error_messages={"invalid_choice": _("Choose one of the listed projects.")},
    )
    company_contact = ContactChoiceField(
        label=_("contact who will submit the application"), queryset=None,
        error_messages={"invalid_choice": _("Choose one of the listed contacts.")},
    )
    mode = forms.ChoiceField(label=_("service mode"), choices=ServiceMode.choices,
                             widget=forms.RadioSelect)
    scope = forms.ChoiceField(label=_("service scope"), choices=ServiceScope.choices,
                              widget=forms.RadioSelect)
    requested_stages = forms.ModelMultipleChoiceField(
        label=_("requested stages"), queryset=Stage.objects.order_by("code"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Required for a stage service."),
    )
    requested_matters = forms.ModelMultipleChoiceField(
        label=_("requested items"), queryset=Matter.objects.filter(is_active=True)
        .order_by("stage__code", "code"), required=False,
        help_text=_("Required for a single-item service."),
    )
    project_summary = _text(_("project summary"))
    requested_items_note = _text(_("requested items (in your words)"), required=False, rows=3)

    def __init__(self, *args, user, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        projects = projects_visible_to(user)
        contacts = CompanyContact.objects.filter(user__isnull=False, user__is_active=True)
        if consultation.company_id:
            projects = projects.filter(company_id=consultation.company_id)
            contacts = contacts.filter(company_id=consultation.company_id)
        else:
            contacts = contacts.filter(company__projects__in=projects).distinct()
        self.fields["project"].queryset = projects
        self.fields["company_contact"].queryset = contacts.select_related("company").order_by(
            "company_id", "-is_representative", "name")

    def clean(self):
        cleaned = super().clean()
        project, contact = cleaned.get("project"), cleaned.get("company_contact")
        if project is not None and contact is not None and (
                contact.company_id != project.company_id):
            self.add_error("company_contact", _("Choose a contact of the project's company."))
        return cleaned

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["requested_stages"] = list(data["requested_stages"])
        data["requested_matters"] = list(data["requested_matters"])
        data["project_summary"] = data["project_summary"].strip()
        data["requested_items_note"] = data["requested_items_note"].strip()
        return data
