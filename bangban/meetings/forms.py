"""Forms for convening a meeting and for each meeting action. Each form's fields are its
service's keyword arguments (`service(meeting=…, by=…, **form.service_kwargs())`)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import agency_paths_for
from bangban.companies.models import CompanyContact
from bangban.core.forms import BootstrapMixin
from bangban.meetings.services import MAX_DECISION_DAYS
from bangban.meetings.workflow import (
    AGENDA_PROBLEM_STATES,
    PROBLEM_MEETINGS,
    MeetingKind,
    Reply,
)
from bangban.problems.models import Problem
from bangban.projects.models import Project

User = get_user_model()
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _text(label, help_text="", required=True, rows=4):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _moment(label):
    return forms.DateTimeField(
        label=label, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.company.name}）"


def _under(paths, field):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def users_with_role(role):
    return (User.objects.filter(memberships__role=role, is_active=True).distinct()
            .order_by("last_name", "first_name", "username"))


class ProblemChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title}（{obj.get_level_display()}）"


def initial_for_problem(problem):
    """What the convene page proposes for a meeting on `problem`: its case's meeting of the
    kind its level calls for, on its title and description, with the representatives of its
    department."""
    meeting = PROBLEM_MEETINGS.get(problem.level)
    representatives = User.objects.filter(
        memberships__role=Role.DEPARTMENT_REPRESENTATIVE,
        memberships__department_id=problem.department_id, is_active=True,
    ).distinct()
    return {
        "title": problem.title,
        "kind": meeting.kind if meeting else MeetingKind.JOINT,
        "agenda": f"{problem.number} {problem.title}\n{problem.description}",
        "representatives": [user.pk for user in representatives],
        "problems": [problem.pk],
    }


class ExternalExpertsField(forms.CharField):
    """One expert a line: "name, organisation, e-mail" (organisation and e-mail optional)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        experts = []
        for line in (value or "").splitlines():
            parts = [part.strip() for part in line.replace("，", ",").split(",")]
            if not parts[0]:
                continue
            if len(parts) > 3:
                raise ValidationError(_("Write one expert a line: name, organisation, e-mail."))
            name, organisation, email = (parts + ["", ""])[:3]
            if email:
                validate_email(email)
            experts.append((name[:64], organisation[:128], email))
        return experts


class ConveneForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none(),
                                     required=False)
    new_project_name = forms.CharField(
        label=_("new project"), max_length=200, required=False,
        help_text=_("For a project that is not registered yet."),
    )
    agency = forms.ModelChoiceField(label=_("convening agency"), queryset=Agency.objects.none(),
                                    required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices)
    starts_at = _moment(_("starts at"))
    ends_at = _moment(_("ends at"))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    video_link = forms.URLField(label=_("video link"), required=False, assume_scheme="https")
    agenda = _text(_("agenda"))
    problems = ProblemChoiceField(
        label=_("problems on the agenda"), queryset=Problem.objects.none(), required=False,
        help_text=_("Open problems of the case the meeting is to settle."),
    )
    representatives = PersonChoiceField(label=_("department representatives"),
                                        queryset=User.objects.none(), required=False)
    experts = PersonChoiceField(label=_("experts"), queryset=User.objects.none(),
                                required=False)
    external_experts = ExternalExpertsField(
        label=_("external experts"), required=False,
        help_text=_("One a line: name, organisation, e-mail."),
    )
    company_contacts = ContactChoiceField(label=_("company contacts"),
                                          queryset=CompanyContact.objects.none(),
                                          required=False)

    def __init__(self, *args, user, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        paths = agency_paths_for(user, Role.CHIEF_SPECIALIST)
        self.fields["representatives"].queryset = users_with_role(Role.DEPARTMENT_REPRESENTATIVE)
        self.fields["experts"].queryset = users_with_role(Role.EXPERT)
        contacts = CompanyContact.objects.select_related("company").order_by("company", "name")
        if case is not None:
            for name in ("project", "new_project_name", "agency"):
                del self.fields[name]
            self.fields["company_contacts"].queryset = contacts.filter(
                company_id=case.project.company_id)
            self.fields["problems"].queryset = Problem.objects.filter(
                case=case, state__in=AGENDA_PROBLEM_STATES).order_by("-level", "pk")
            return
        # Problems are picked among a case's own: the page offers none without a case.
        del self.fields["problems"]
        self.fields["project"].queryset = (Project.objects.filter(_under(paths, "agency__path"))
                                           .select_related("company").order_by("name"))
        self.fields["agency"].queryset = Agency.objects.filter(_under(paths, "path"))
        self.fields["company_contacts"].queryset = contacts.filter(
            company__projects__in=self.fields["project"].queryset).distinct()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        if self.case is not None:
            data["case"] = self.case
        return data


class MeetingActionForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, meeting, **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)

    def service_kwargs(self):
        return dict(self.cleaned_data)


class RescheduleForm(MeetingActionForm):
    starts_at = _moment(_("starts at"))
    ends_at = _moment(_("ends at"))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    video_link = forms.URLField(label=_("video link"), required=False, assume_scheme="https")
    reason = _text(_("reason"), rows=2)

    def __init__(self, *args, meeting, **kwargs):
        kwargs.setdefault("initial", {}).update({
            "starts_at": meeting.starts_at, "ends_at": meeting.ends_at,
            "place": meeting.place, "video_link": meeting.video_link,
        })
        super().__init__(*args, meeting=meeting, **kwargs)


class CancelForm(MeetingActionForm):
    reason = _text(_("reason for cancelling"), rows=2)


class ReplyForm(MeetingActionForm):
    reply = forms.ChoiceField(label=_("reply"), widget=forms.RadioSelect,
                              choices=[(Reply.ATTEND, Reply.ATTEND.label),
                                       (Reply.DECLINE, Reply.DECLINE.label)])
    note = forms.CharField(label=_("note"), max_length=200, required=False,
                           help_text=_("For example who attends in your place."))


class MinutesForm(MeetingActionForm):
    minutes = _text(_("minutes"), _("What was discussed and agreed. Add each decision with "
                                    "its owner after saving."), rows=10)

    def __init__(self, *args, meeting, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("minutes", meeting.minutes)
        super().__init__(*args, meeting=meeting, **kwargs)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class DecisionForm(MeetingActionForm):
    text = _text(_("decision"), rows=3)
    owner = OwnerChoiceField(label=_("responsible"), queryset=User.objects.none())
    working_days = forms.IntegerField(
        label=_("working days"), min_value=1, max_value=MAX_DECISION_DAYS,
        help_text=_("Due this many working days after the meeting."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        ids = {a.user_id for a in meeting.attendees.all() if a.user_id}
        ids.add(meeting.convened_by_id)
        if meeting.case_id and meeting.case.specialist_id:
            ids.add(meeting.case.specialist_id)
        self.fields["owner"].queryset = User.objects.filter(pk__in=ids, is_active=True)


class RemoveDecisionForm(MeetingActionForm):
    decision = forms.ModelChoiceField(label=_("decision"), queryset=None)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.fields["decision"].queryset = meeting.actions.all()


class PublishForm(MeetingActionForm):
    pass


class CorrectionForm(MeetingActionForm):
    correction = _text(_("correction"), _("Published minutes stay as they are; the "
                                          "correction is recorded next to them and sent to "
                                          "everyone who received them."))


class CompleteActionForm(BootstrapMixin, forms.Form):
    note = _text(_("what was done"), rows=3)

    def service_kwargs(self):
        return dict(self.cleaned_data)


MEETING_ACTION_FORMS = {
    "reschedule": RescheduleForm,
    "cancel": CancelForm,
    "reply": ReplyForm,
    "record_minutes": MinutesForm,
    "add_decision": DecisionForm,
    "remove_decision": RemoveDecisionForm,
    "publish": PublishForm,
    "correct_minutes": CorrectionForm,
}
