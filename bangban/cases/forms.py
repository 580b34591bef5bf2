"""Forms for the case page's actions: they parse input into the keyword arguments of one service.

Each form's field names are the service's keyword names, so a view calls
`service(case=…, by=…, **form.service_kwargs())`. Choices are scoped to the case (its agency's
specialists, its company's contacts, its items); the services still check everything again.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Agency, Department, Role
from bangban.cases.models import (
    CaseItem,
    HandoverMethod,
    ServiceMode,
    ServiceScope,
    SpecialProcedureKind,
    SuspensionReason,
    TerminationReason,
)
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import Matter
from bangban.core.forms import BootstrapMixin, LabelledModelChoiceField, QuickSelect
from bangban.deadlines.item_clock import extension_allowance

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when nothing was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _agency_and_above(agency):
    """The agency and every agency above it (a matter may sit with a higher level's department)."""
    prefixes = [agency.path[: i + 1] for i, char in enumerate(agency.path) if char == "/"][1:]
    return Agency.objects.filter(path__in=prefixes)


def departments_for(case):
    return (
        Department.objects.filter(is_active=True, agency__in=_agency_and_above(case.agency))
        .select_related("agency")
        .order_by("agency__path", "name")
    )


def specialists_of(agency):
    return (
        get_user_model().objects.filter(
            is_active=True,
            memberships__agency=agency,
            memberships__role__in=[Role.SPECIALIST, Role.CHIEF_SPECIALIST],
        )
        .distinct()
        .order_by("full_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class ActionForm(BootstrapMixin, forms.Form):
    """The inputs of one workflow action on `case` (and `item` for an item action)."""

    # Fields that only confirm the user's intent and are not passed to the service.
    confirmation_fields = ()

    def __init__(self, *args, case, item=None, **kwargs):
        self.case = case
        self.item = item
        super().__init__(*args, **kwargs)

    def service_kwargs(self):
        return {
            name: value for name, value in self.cleaned_data.items()
            if name not in self.confirmation_fields
        }


class ConfirmForm(ActionForm):
    """An action without inputs: the button on the form is the confirmation."""


# ------------------------------------------------------------------------ case actions


class AcceptForm(ActionForm):
    specialist = UserChoiceField(label=_("responsible specialist"), queryset=None)
    company_contact = forms.ModelChoiceField(label=_("company contact"), queryset=None)
    scope = forms.ChoiceField(label=_("service scope"), choices=ServiceScope.choices)
    handler_opinion = forms.CharField(
        label=_("handler's opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    leader_instruction = forms.CharField(
        label=_("leader's instruction"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["specialist"].queryset = specialists_of(case.agency)
        self.fields["company_contact"].queryset = case.project.company.contacts.all()
        self.fields["company_contact"].initial = case.company_contact_id
        self.fields["scope"].initial = case.scope


class RejectForm(ActionForm):
    reason = forms.CharField(
        label=_("reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The company sees this reason."),
    )


class AgreementForm(ActionForm):
    signed_on = forms.DateField(label=_("signed on"), widget=DATE_WIDGET)
    file = forms.FileField(label=_("signed agreement"))


class GeneratePlanForm(ActionForm):
    target_completion_date = forms.DateField(
        label=_("target completion date"), required=False, widget=DATE_WIDGET,
        help_text=_("Leave empty to use the date the schedule works out."),
    )


class AddItemForm(ActionForm):
    """Edit plan: add a catalog matter the case does not have yet."""

    matter = forms.ModelChoiceField(label=_("matter"), queryset=None)
    department = forms.ModelChoiceField(
        label=_("department"), queryset=None, required=False,
        help_text=_("Leave empty to use the department that usually handles this matter."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["matter"].queryset = (
            Matter.objects.filter(is_active=True)
            .exclude(pk__in=CaseItem.objects.filter(case=case).values("matter_id"))
            .select_related("stage")
        )
        self.fields["department"].queryset = departments_for(case)


class ItemPlanForm(BootstrapMixin, forms.Form):
    """Edit plan: change one item's department, limit, dates, prerequisites and flags."""

    department = forms.ModelChoiceField(label=_("department"), queryset=None)
    promised_limit = forms.IntegerField(label=_("promised time limit"), min_value=1)
    planned_start = forms.DateField(label=_("planned start"), required=False, widget=DATE_WIDGET)
    planned_end = forms.DateField(label=_("planned end"), required=False, widget=DATE_WIDGET)
    prerequisites = forms.ModelMultipleChoiceField(
        label=_("runs after"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accepted_with_gaps = forms.BooleanField(label=_("accepted with gaps (容缺受理)"),
                                            required=False)
    commitment_based = forms.BooleanField(label=_("commitment-based (告知承诺)"),
                                          required=False)

    def __init__(self, *args, item, **kwargs):
        self.item = item
        kwargs.setdefault("initial", {
            "department": item.department_id,
            "promised_limit": item.promised_limit,
            "planned_start": item.planned_start,
            "planned_end": item.planned_end,
            "prerequisites": [p.pk for p in item.prerequisites.all()],
            "accepted_with_gaps": item.accepted_with_gaps,
            "commitment_based": item.commitment_based,
        })
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(item.case)
        self.fields["prerequisites"].queryset = (
            CaseItem.objects.filter(case_id=item.case_id)
            .exclude(pk=item.pk)
            .exclude(state=ItemState.WITHDRAWN)
            .select_related("matter")
        )
        self.fields["promised_limit"].help_text = item.get_limit_unit_display()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        # An unchanged department is not sent: the service refuses any department change
        # once an item has been pushed, even to the same department.
        if data["department"] and data["department"].pk == self.item.department_id:
            data["department"] = None
        if {p.pk for p in data["prerequisites"]} == set(self.initial["prerequisites"]):
            data["prerequisites"] = None
        return data


class LogContactForm(ActionForm):
    note = forms.CharField(label=_("what was discussed"), widget=forms.Textarea(attrs={"rows": 4}))
    item = forms.ModelChoiceField(label=_("about the item"), queryset=None, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["item"].queryset = CaseItem.objects.filter(case=case).select_related("matter")


class ReassignForm(ActionForm):
    specialist = UserChoiceField(label=_("new responsible specialist"), queryset=None)
    reason = forms.CharField(
        label=_("reason for the change"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The company is told about the change and its reason."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["specialist"].queryset = specialists_of(case.agency).exclude(
            pk=case.specialist_id or 0
        )


class SuspendForm(ActionForm):
    reason = forms.ChoiceField(label=_("reason for suspension"),
                               choices=SuspensionReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ResumeForm(ActionForm):
    note = forms.CharField(
        label=_("how the cause was removed"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TerminateForm(ActionForm):
    reason = forms.ChoiceField(label=_("reason for termination"),
                               choices=TerminationReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required for “Other”."))


class HandoverForm(ActionForm):
    method = forms.ChoiceField(label=_("handover of results"), choices=HandoverMethod.choices,
                               widget=forms.RadioSelect)
    tracking_number = forms.CharField(label=_("tracking number"), max_length=64, required=False,
                                      help_text=_("Required when the results are mailed."))

    def clean(self):
        data = super().clean()
        if data.get("method") == HandoverMethod.MAIL and not data.get("tracking_number"):
            self.add_error("tracking_number", _("Enter the express tracking number."))
        return data


class ConfirmCompletionForm(ActionForm):
    confirm = forms.BooleanField(
        label=_("I confirm that every result has been received and sign the completion sheet."),
    )
    confirmation_fields = ("confirm",)


# ------------------------------------------------------------------------ item actions


class UploadMaterialForm(ActionForm):
    title = forms.CharField(label=_("title"), max_length=200,
                            help_text=_("A new upload under the same title is a new version."))
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.item is not None and self.item.materials:
            self.fields["title"].widget = forms.TextInput(attrs={
                "class": "form-control", "list": "item-materials",
            })


class ReviewForm(ActionForm):
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class SupplementRequestForm(ActionForm):
    reason = forms.CharField(label=_("what is missing"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("supply by"), required=False, widget=DATE_WIDGET)


class SupplyForm(ActionForm):
    answer = forms.CharField(label=_("answer"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("files"), required=False)


class ApproveForm(ActionForm):
    result_number = forms.CharField(label=_("result document number"), max_length=64)
    result_file = forms.FileField(label=_("result document"))


class SpecialProcedureForm(ActionForm):
    kind = forms.ChoiceField(label=_("special procedure"), choices=SpecialProcedureKind.choices,
                             widget=forms.RadioSelect,
                             help_text=_("The time it takes is not counted in the limit "
                                         "(行政许可法 §45)."))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class EndSpecialProcedureForm(ActionForm):
    note = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("extend by (working days)"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("reason for the extension"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Told to the company (行政许可法 §42)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.item is not None:
            allowance = extension_allowance(self.item)
            self.fields["days"].help_text = allowance.why
            if allowance.days:
                self.fields["days"].widget.attrs["max"] = allowance.days
                self.fields["days"].initial = allowance.days


CASE_ACTION_FORMS = {
    "submit": ConfirmForm,
    "accept": AcceptForm,
    "reject": RejectForm,
    "record_agreement": AgreementForm,
    "generate_plan": GeneratePlanForm,
    "edit_plan": AddItemForm,
    "publish_plan": ConfirmForm,
    "log_contact": LogContactForm,
    "reassign_specialist": ReassignForm,
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "terminate": TerminateForm,
    "record_handover": HandoverForm,
    "confirm_completion": ConfirmCompletionForm,
}

ITEM_ACTION_FORMS = {
    "start_preparing": ConfirmForm,
    "upload_material": UploadMaterialForm,
    "pass_review": ReviewForm,
    "return_to_preparing": ReasonForm,
    "push": ConfirmForm,
    "accept": ConfirmForm,
    "request_supplement": SupplementRequestForm,
    "supply_supplement": SupplyForm,
    "approve": ApproveForm,
    "refuse": ReasonForm,
    "withdraw": ReasonForm,
    "start_special_procedure": SpecialProcedureForm,
    "end_special_procedure": EndSpecialProcedureForm,
    "extend": ExtendForm,
}


class CaseFilterForm(BootstrapMixin, forms.Form):
    """The case list's filters; every field is optional."""

    q = forms.CharField(label=_("case number or project name"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("state"), required=False, widget=QuickSelect,
                              choices=[("", _("All states")), *CaseState.choices])
    agency = LabelledModelChoiceField(label=_("agency"), required=False, queryset=None,
                                      empty_label=_("All agencies"), label_fields=["name"])
    mode = forms.ChoiceField(label=_("service mode"), required=False, widget=QuickSelect,
                             choices=[("", _("All modes")), *ServiceMode.choices])

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def filter(self, cases):
        if not self.is_valid():
            return cases
        data = self.cleaned_data
        if data["q"]:
            cases = cases.filter(
                Q(number__icontains=data["q"]) | Q(project__name__icontains=data["q"])
            )
        if data["state"]:
            cases = cases.filter(state=data["state"])
        if data["agency"]:
            cases = cases.filter(agency=data["agency"])
        if data["mode"]:
            cases = cases.filter(mode=data["mode"])
        return cases
