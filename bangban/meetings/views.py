"""Meeting pages: the list (upcoming / past), the meeting page, convening, one view for every
meeting action (a form in the meeting page's modal through htmx, or a plain page), the
calendar invitation, and the user's open meeting decisions.

Views parse a form and call one service; a `DomainError` becomes a message and changes
nothing. A meeting the user may not see is a 404, whatever the action.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import agency_paths_for, case_roles
from bangban.cases.models import Case
from bangban.core.errors import DomainError, InvalidTransition, NotAllowed
from bangban.core.forms import add_service_error
from bangban.core.views import Submission, htmx_redirect, paginate, submit_to_service
from bangban.meetings import selectors, services
from bangban.meetings.forms import (
    MEETING_ACTION_FORMS,
    CompleteActionForm,
    ConveneForm,
    initial_for_problem,
)
from bangban.meetings.ics import meeting_ics
from bangban.meetings.models import MeetingAction
from bangban.meetings.workflow import (
    AGENDA_PROBLEM_STATES,
    COMPLETE_ACTION,
    MEETING_ACTIONS,
    MeetingState,
    meeting_actions_for,
)
from bangban.problems.selectors import problems_of_meeting, problems_visible_to

WHEN = ("upcoming", "past")


@login_required
def meeting_list(request):
    when = request.GET.get("when")
    when = when if when in WHEN else "upcoming"
    meetings = selectors.split_meetings(selectors.meetings_visible_to(request.user), when)
    return render(request, "meetings/list.html", {
        "when": when, "page": paginate(request, meetings),
        "can_convene": bool(agency_paths_for(request.user, Role.CHIEF_SPECIALIST)),
    })


@login_required
def meeting_detail(request, pk):
    meeting = selectors.get_meeting_for(request.user, pk)
    roles = selectors.meeting_roles(request.user, meeting)
    invitation = selectors.invitation_of(request.user, meeting)
    staff = selectors.is_government_side(request.user, meeting, roles)
    # Minutes in draft are the government side's until they are published.
    show_minutes = meeting.state == MeetingState.PUBLISHED or (
        meeting.state == MeetingState.HELD and staff)
    actions = meeting_actions_for(meeting.state, roles)
    return render(request, "meetings/detail.html", {
        "meeting": meeting,
        "actions": [a for a in actions if a.name != "remove_decision"],
        "can_remove_decisions": any(a.name == "remove_decision" for a in actions),
        "invitation": invitation,
        "show_minutes": show_minutes,
        "staff": staff,
        "corrections": selectors.corrections(meeting) if show_minutes else [],
        "history": selectors.meeting_history(meeting) if staff else [],
        "problems": problems_of_meeting(request.user, meeting),
        "today": timezone.localdate(),
    })


def _digits(pk):
    return pk if str(pk).isdigit() else 0


def _problem_for_convening(request):
    """The problem named by `?problem=`, which the user may see, or None."""
    pk = request.GET.get("problem")
    if not pk:
        return None
    problem = (problems_visible_to(request.user)
               .select_related("case__agency", "case__project__company")
               .filter(pk=_digits(pk)).first())
    if problem is None:
        raise Http404
    return problem


def _case_for_convening(request, problem):
    if problem is not None:
        case = problem.case
    else:
        pk = request.GET.get("case") or request.POST.get("case")
        if not pk:
            return None
        case = get_object_or_404(Case.objects.select_related("agency", "project__company"),
                                 pk=_digits(pk))
    if Role.CHIEF_SPECIALIST not in case_roles(request.user, case):
        raise Http404
    return case


@login_required
def meeting_convene(request):
    if not agency_paths_for(request.user, Role.CHIEF_SPECIALIST):
        raise Http404
    problem = _problem_for_convening(request)
    case = _case_for_convening(request, problem)
    initial = {}
    if problem is not None and problem.state not in AGENDA_PROBLEM_STATES:
        messages.warning(request, _("Problem %(number)s is “%(state)s”: it cannot go on a "
                                    "meeting's agenda any more.")
                         % {"number": problem.number, "state": problem.get_state_display()})
        problem = None
    elif problem is not None:
        initial = initial_for_problem(problem)
    data = request.POST if request.method == "POST" else None
    form = ConveneForm(data, user=request.user, case=case, initial=initial)
    if data is not None and form.is_valid():
        try:
            meeting = services.convene_meeting(by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return htmx_redirect(request, reverse("meetings:list"))
        else:
            messages.success(request, _("The meeting is convened and the invitations sent."))
            return htmx_redirect(request, reverse("meetings:detail", args=[meeting.pk]))
    return render(request, "meetings/convene.html", {"form": form, "case": case,
                                                      "problem": problem})


@login_required
def meeting_action(request, pk, action):
    meeting = selectors.get_meeting_for(request.user, pk)
    workflow_action = MEETING_ACTIONS.get(action)
    if workflow_action is None:
        raise Http404
    detail_url = reverse("meetings:detail", args=[meeting.pk])
    roles = selectors.meeting_roles(request.user, meeting)
    if not workflow_action.allows(meeting.state, roles):
        refusal = NotAllowed() if not workflow_action.roles & roles else InvalidTransition()
        messages.error(request, refusal.message)
        return htmx_redirect(request, detail_url)
    data = request.POST if request.method == "POST" else None
    form = MEETING_ACTION_FORMS[action](data, meeting=meeting)
    outcome = submit_to_service(request, form, services.MEETING_ACTION_SERVICES[action],
                                meeting=meeting, by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow_action.label})
        return htmx_redirect(request, detail_url)
    context = {"form": form, "action": workflow_action, "meeting": meeting,
               "post_url": reverse("meetings:action", args=[meeting.pk, action]),
               "in_modal": bool(request.htmx)}
    if request.htmx:
        return render(request, "meetings/partials/_action_form.html", context)
    return render(request, "meetings/action.html", context)


@login_required
def meeting_calendar(request, pk):
    meeting = selectors.get_meeting_for(request.user, pk)
    addresses = selectors.is_government_side(request.user, meeting)
    response = HttpResponse(meeting_ics(meeting, meeting.attendees.all(), addresses=addresses),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
def my_actions(request):
    return render(request, "meetings/my_actions.html", {
        "page": paginate(request, selectors.open_actions_of(request.user)),
        "today": timezone.localdate(),
    })


@login_required
def complete_action(request, pk):
    decision = get_object_or_404(
        MeetingAction.objects.select_related("meeting__project", "meeting__agency"),
        pk=pk, owner=request.user,
    )
    back = reverse("meetings:my_actions")
    data = request.POST if request.method == "POST" else None
    form = CompleteActionForm(data)
    outcome = submit_to_service(request, form, services.complete_action, action=decision,
                                by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, back)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": COMPLETE_ACTION.label})
        return htmx_redirect(request, reverse("meetings:detail", args=[decision.meeting_id]))
    return render(request, "meetings/complete_action.html", {
        "form": form, "decision": decision, "action": COMPLETE_ACTION,
        "post_url": reverse("meetings:complete_action", args=[decision.pk]),
    })
