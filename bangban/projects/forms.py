from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Membership, Role, User
from bangban.core.forms import BootstrapMixin
from bangban.projects.models import Project
from bangban.projects.selectors import agencies_for_projects


class AgencyChoiceField(forms.ModelChoiceField):
    """Agencies in tree order, districts indented under their city."""

    def label_from_instance(self, agency):
        depth = max(agency.path.count("/") - 2, 0)
        return f"{'　' * depth}{'└ ' if depth else ''}{agency.name}"


class ProjectForm(BootstrapMixin, forms.ModelForm):
    """A project's data. `companies` are those the user may file the project for; with only
    one, the company is not asked."""

    company = forms.ModelChoiceField(label=_("company"), queryset=None, empty_label=None)
    agency = AgencyChoiceField(
        label=_("service agency"), queryset=None,
        help_text=_("The service centre that handles the project: the city's or the "
                    "district's."),
    )

    class Meta:
        model = Project
        fields = [
            "company", "name", "code", "category", "investment_type", "is_key_project",
            "location", "total_investment", "floor_area", "description", "agency",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "is_key_project": _("Key projects get a dedicated team and appear in the key-project "
                                "ledger."),
            "total_investment": _("In 10,000 yuan (万元)."),
            "floor_area": _("Total floor area in square metres, if known."),
        }

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_for_projects()
        self.only_company = None
        if self.instance.pk or companies is None:
            del self.fields["company"]
        else:
            first_two = list(companies[:2])
            if len(first_two) == 1:
                self.only_company = first_two[0]
                del self.fields["company"]
            else:
                self.fields["company"].queryset = companies
        self.fields["code"].widget.attrs.setdefault("placeholder", "2026-371602-47-01-000123")
        self.fields["total_investment"].widget.attrs.setdefault("min", "0")
        self.fields["floor_area"].widget.attrs.setdefault("min", "0")

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip() or None

    def _post_clean(self):
        # The service validates the whole model (with the company it is given); the form only
        # checks the fields themselves, so the company need not be on the instance yet.
        pass

    def chosen_company(self):
        return self.only_company or self.cleaned_data["company"]

    def project_fields(self):
        return {
            name: self.cleaned_data[name] for name in self.Meta.fields if name != "company"
        }


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class RepresentativeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, membership):
        return f"{membership.department.name} · {membership.user.display_name}"


class KeyProjectTeamForm(BootstrapMixin, forms.Form):
    """A key project's team: the choices hold only the staff of the project's agency and the
    agencies above it, and the representatives of departments of those agencies and the ones
    below."""

    specialist = UserChoiceField(label=_("specialist"), queryset=None)
    chief = UserChoiceField(label=_("chief specialist"), queryset=None)
    representatives = RepresentativeChoiceField(
        label=_("department representatives"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("The team's plan and optimal route in brief."))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        above = [project.agency.path[: i + 1] for i, char in enumerate(project.agency.path)
                 if char == "/" and i]
        staff = Membership.objects.filter(agency__path__in=above, user__is_active=True)
        self.fields["specialist"].queryset = User.objects.filter(
            pk__in=staff.filter(role__in=[Role.SPECIALIST, Role.CHIEF_SPECIALIST])
            .values("user_id")).order_by("full_name", "username")
        self.fields["chief"].queryset = User.objects.filter(
            pk__in=staff.filter(role=Role.CHIEF_SPECIALIST).values("user_id")
        ).order_by("full_name", "username")
        self.fields["representatives"].queryset = (
            Membership.objects.filter(
                Q(agency__path__in=above) | Q(agency__path__startswith=project.agency.path),
                role=Role.DEPARTMENT_REPRESENTATIVE, user__is_active=True,
            ).select_related("user", "department", "agency")
            .order_by("agency__path", "department__name", "user__full_name")
        )

    def service_kwargs(self):
        return dict(self.cleaned_data)
