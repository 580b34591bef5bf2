"""Problem pages: the list, a case's problems, raising one, the problem page, one view for every
problem action (a form in the page's modal through htmx, or a plain page), and the printable
feedback letter. The company uses the same pages and sees its side of them: the answer passed
on to it, never the department's own.

Views parse a form and call one service; a `DomainError` becomes a message and changes nothing.
A case, an item or a problem the user may not see is a 404, whatever the action.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.permissions import case_roles
from bangban.cases.models import CaseItem
from bangban.cases.selectors import get_case_for, visible_items_of
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.views import Submission, htmx_redirect, paginate, submit_to_service
from bangban.meetings.selectors import meetings_of_problem
from bangban.meetings.workflow import problem_meeting_for
from bangban.problems import selectors, services
from bangban.problems.forms import PROBLEM_ACTION_FORMS, ProblemFilterForm, RaiseProblemForm
from bangban.problems.workflow import (
    PROBLEM_ACTIONS,
    RAISING_ROLES,
    problem_actions_for,
)


@login_required
def problem_list(request):
    today = timezone.localdate()
    form = ProblemFilterForm(request.GET or None)
    problems = selectors.filter_problems(selectors.problems_visible_to(request.user),
                                         today=today, **form.filters())
    return render(request, "problems/list.html", {
        "form": form, "page": paginate(request, problems)
    })


def _may_raise(user, case):
    return bool(case_roles(user, case) & RAISING_ROLES) and case.state in services.OPEN_CASE_STATES


@login_required
def case_problems(request, case_pk):
    case = get_case_for(request.user, case_pk)
    return render(request, "problems/for_case.html", {
        "case": case, "problems": selectors.problems_of_case(request.user, case),
        "may_raise": _may_raise(request.user, case),
    })


@login_required
def raise_problem(request, case_pk):
    case = get_case_for(request.user, case_pk)
    if not case_roles(request.user, case) & RAISING_ROLES:
        raise Http404
    items = visible_items_of(request.user, case)
    requested_item = (request.POST if request.method == "POST" else request.GET).get("item")
    if requested_item and requested_item not in {str(item.pk) for item in items}:
        # Another case's (another company's) item: not the user's to name.
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = RaiseProblemForm(
        data, request.FILES or None,
        items=CaseItem.objects.filter(pk__in=[item.pk for item in items])
        .select_related("matter", "department"),
        departments=selectors.raisable_departments(case),
        initial={"item": requested_item} if requested_item else {},
    )
    outcome = submit_to_service(request, form, services.raise_problem, case=case,
                                by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, reverse("problems:for_case", args=[case.pk]))
    if outcome is Submission.DONE:
        messages.success(request, _("Your problem has been registered and sent on."))
        return htmx_redirect(request, reverse("problems:for_case", args=[case.pk]))
    return render(request, "problems/raise.html", {"case": case, "form": form})


@login_required
def problem_detail(request, pk):
    problem = selectors.get_problem_for(request.user, pk)
    roles = selectors.problem_roles(request.user, problem)
    company_side = selectors.is_company_side(roles)
    history = selectors.problem_history(problem)
    if company_side:
        history = history.exclude(action="problem_answer")
    letter = getattr(problem, "feedback_letter", None)
    return render(request, "problems/detail.html", {
        "problem": problem, "company_side": company_side, "letter": letter,
        "actions": problem_actions_for(problem.state, problem.level, roles),
        "convene": problem_meeting_for(problem.state, problem.level, roles),
        "meetings": meetings_of_problem(request.user, problem),
        "history": history,
    })


@login_required
def problem_action(request, pk, action):
    problem = selectors.get_problem_for(request.user, pk)
    workflow_action = PROBLEM_ACTIONS.get(action)
    if workflow_action is None:
        raise Http404
    detail_url = reverse("problems:detail", args=[problem.pk])
    roles = selectors.problem_roles(request.user, problem)
    if not workflow_action.allows(problem.state, problem.level, roles):
        refusal = NotAllowed() if not workflow_action.roles & roles else InvalidTransition()
        messages.error(request, refusal.message)
        return htmx_redirect(request, detail_url)
    initial = {"answer": problem.answer} if action == "relay" else {}
    data = request.POST if request.method == "POST" else None
    form = PROBLEM_ACTION_FORMS[action](data, problem=problem, initial=initial)
    outcome = submit_to_service(request, form, services.PROBLEM_ACTION_SERVICES[action],
                                problem=problem, by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow_action.label})
        return htmx_redirect(request, detail_url)
    context = {"form": form, "action": workflow_action, "problem": problem,
               "company_side": selectors.is_company_side(roles),
               "post_url": reverse("problems:action", args=[problem.pk, action]),
               "in_modal": bool(request.htmx)}
    if request.htmx:
        return render(request, "problems/partials/_action_form.html", context)
    return render(request, "problems/action.html", context)


@login_required
def letter_print(request, pk):
    problem = selectors.get_problem_for(request.user, pk)
    letter = getattr(problem, "feedback_letter", None)
    if letter is None:
        raise Http404
    return render(request, "problems/letter.html", {"problem": problem, "letter": letter})
