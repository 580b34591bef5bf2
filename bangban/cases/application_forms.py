"""The application form (帮办代办服务申请表) as a company's contact fills it in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bangban.accounts.permissions import company_ids_of
from bangban.cases.models import ServiceMode, ServiceScope
from bangban.catalog.models import Matter, Stage
from bangban.core.forms import BootstrapMixin
from bangban.companies.models import CompanyContact
from bangban.projects.selectors import projects_of_company_user

MODE_HELP = {
    ServiceMode.ASSIST: _("The specialist advises you, checks your materials and guides you "
                          "through each filing; your company files the applications itself."),
    ServiceMode.AGENT: _("The specialist files and follows up the applications on your "
                         "company's behalf, under a signed agency agreement."),
}
SCOPE_HELP = {
    ServiceScope.FULL: _("Every approval from project filing to completion acceptance and "
                         "utility connection."),
    ServiceScope.STAGE: _("The approvals of the stages you choose below."),
    ServiceScope.SINGLE: _("Only the items you choose below."),
}


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, project):
        return f"{project.name}（{project.code}）" if project.code else project.name


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contact):
        if contact.position:
            return f"{contact.name}（{contact.position}）"
        return contact.name


class ApplicationForm(BootstrapMixin, forms.Form):
    """Creates (with `case=None`) or edits a draft application of `user`'s company.

    The project and contact choices hold only the user's companies' rows, so a forged id is
    an invalid choice and nothing is saved.
    """

    project = ProjectChoiceField(
        label=_("project"), queryset=None,
        error_messages={"invalid_choice": _("Choose one of your company's projects.")},
    )
    mode = forms.ChoiceField(
        label=_("service mode"), choices=ServiceMode.choices, widget=forms.RadioSelect
    )
    scope = forms.ChoiceField(
        label=_("service scope"), choices=ServiceScope.choices, widget=forms.RadioSelect
    )
    requested_stages = forms.ModelMultipleChoiceField(
        label=_("requested stages"), queryset=Stage.objects.order_by("code"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Required for a stage service."),
    )
    requested_matters = forms.TypedMultipleChoiceField(
        label=_("requested items"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Required for a single-item service; for the other scopes, items you "
                    "especially want handled."),
    )
    requested_items_note = forms.CharField(
        label=_("requested items (in your words)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the list does not name, or what you need in particular."),
    )
    project_summary = forms.CharField(
        label=_("project summary"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Filled in from the project; describe scale, site and where it stands now."),
    )
    company_contact = ContactChoiceField(
        label=_("contact for this application"), queryset=None,
        error_messages={"invalid_choice": _("Choose one of your company's contacts.")},
    )

    def __init__(self, *args, user, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if case is not None:
            del self.fields["project"]
            company_ids = [case.project.company_id]
        else:
            self.fields["project"].queryset = projects_of_company_user(user)
            company_ids = sorted(company_ids_of(user))
        self.fields["company_contact"].queryset = (
            CompanyContact.objects.filter(company_id__in=company_ids)
            .select_related("company").order_by("company_id", "-is_representative", "name")
        )
        self.matters = {
            m.pk: m for m in Matter.objects.filter(is_active=True)
            .select_related("stage").order_by("stage__code", "code")
        }
        groups = {}
        for matter in self.matters.values():
            groups.setdefault(matter.stage, []).append((matter.pk, matter.name))
        self.fields["requested_matters"].choices = [
            (stage.name, choices) for stage, choices in groups.items()
        ]

    def mode_choices_with_help(self):
        return [(self["mode"].subwidgets[i], MODE_HELP[value])
                for i, (value, _label) in enumerate(ServiceMode.choices)]

    def scope_choices_with_help(self):
        return [(self["scope"].subwidgets[i], SCOPE_HELP[value])
                for i, (value, _label) in enumerate(ServiceScope.choices)]

    def matter_groups(self):
        """[(stage name, [checkbox, …]), …] for the template, in catalog order."""
        options = iter(self["requested_matters"].subwidgets)
        return [
            (stage, [next(options) for _choice in choices])
            for stage, choices in self.fields["requested_matters"].choices
        ]

    def clean_requested_matters(self):
        return [self.matters[pk] for pk in self.cleaned_data["requested_matters"]]

    def clean(self):
        cleaned = super().clean()
        project = self.case.project if self.case is not None else cleaned.get("project")
        contact = cleaned.get("company_contact")
        if project is not None and contact is not None and (
            contact.company_id != project.company_id
        ):
            self.add_error("company_contact", ValidationError(
                _("Choose a contact of the project's company."), code="other_company"
            ))
        scope = cleaned.get("scope")
        if scope == ServiceScope.STAGE and not cleaned.get("requested_stages"):
            self.add_error("requested_stages", ValidationError(
                _("Choose at least one stage for a stage service."), code="required"
            ))
        if scope == ServiceScope.SINGLE and not cleaned.get("requested_matters"):
            self.add_error("requested_matters", ValidationError(
                _("Choose the item or items for a single-item service."), code="required"
            ))
        if scope and scope != ServiceScope.STAGE:
            cleaned["requested_stages"] = []  # stages only mean something for a stage service
        return cleaned

    def service_fields(self):
        data = self.cleaned_data
        return {
            "company_contact": data["company_contact"], "mode": data["mode"],
            "scope": data["scope"], "project_summary": data["project_summary"].strip(),
            "requested_items_note": data["requested_items_note"].strip(),
            "requested_stages": list(data["requested_stages"]),
            "requested_matters": list(data["requested_matters"]),
        }
