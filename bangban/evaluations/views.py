"""Evaluation pages: the company's "evaluate" page (what it can still rate, and its past
ratings), the rating form (portal or window), a case's ratings, the staff's lists of ratings
and rectifications, an evaluation's page with its rectification actions, and the roll-ups.

Views parse a form and call one service or selector; a `DomainError` becomes a message and
changes nothing. An object the user may not see is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import agency_paths_for, case_roles, company_ids_of
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.views import Submission, htmx_redirect, paginate, submit_to_service
from bangban.evaluations import selectors, services
from bangban.evaluations.forms import (
    RECTIFICATION_ACTION_FORMS,
    EvaluationFilterForm,
    EvaluationForm,
    PeriodForm,
    RectificationFilterForm,
)
from bangban.evaluations.workflow import RECTIFICATION_ACTIONS, rectification_actions_for

# Staff who may open a case's ratings page (the company opens it too).
CASE_PAGE_STAFF_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR})


@login_required
def pending(request):
    """The company's page: what it can still rate, and the ratings it gave."""
    if not company_ids_of(request.user):
        raise Http404
    return render(request, "evaluations/pending.html", {
        "subjects": selectors.open_for_rating(request.user),
        "page": paginate(request, selectors.evaluations_of_company_user(request.user)),
    })


@login_required
def case_ratings(request, pk):
    case = selectors.case_for_rating(request.user, pk)
    roles = case_roles(request.user, case)
    if not roles & (CASE_PAGE_STAFF_ROLES | {Role.APPLICANT}):
        raise Http404
    return render(request, "evaluations/case.html", {
        "case": case,
        "subjects": selectors.case_subjects(case),
        "as_company": Role.APPLICANT in roles,
        "at_window": bool(roles & services.WINDOW_ROLES) and Role.APPLICANT not in roles,
    })


@login_required
def rate_case(request, pk):
    return _rate(request, selectors.case_for_rating(request.user, pk), None)


@login_required
def rate_item(request, pk):
    item = selectors.item_for_rating(request.user, pk)
    return _rate(request, item.case, item)


def _rate(request, case, item):
    roles = case_roles(request.user, case)
    as_company = Role.APPLICANT in roles
    if not as_company and not roles & CASE_PAGE_STAFF_ROLES:
        raise Http404
    back_url = (reverse("evaluations:pending") if as_company
                else reverse("evaluations:case", args=[case.pk]))
    if not as_company and not roles & services.WINDOW_ROLES:
        messages.error(request, NotAllowed().message)
        return redirect(back_url)
    refusal = selectors.rating_refusal(case, item)
    if refusal:
        messages.error(request, refusal)
        return redirect(back_url)
    data = request.POST if request.method == "POST" else None
    form = EvaluationForm(data, case=case, window=not as_company)
    outcome = submit_to_service(request, form, services.submit_evaluation, by=request.user,
                                case=case, item=item)
    if outcome is Submission.REFUSED:
        return redirect(back_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Thank you: the rating has been recorded."))
        return redirect(back_url)
    return render(request, "evaluations/rate.html", {
        "form": form, "case": case, "item": item, "as_company": as_company,
        "back_url": back_url,
    })


@login_required
def evaluation_list(request):
    form = EvaluationFilterForm(request.GET or None)
    evaluations = selectors.filter_evaluations(
        selectors.evaluations_visible_to(request.user), **form.filters())
    return render(request, "evaluations/list.html", {
        "form": form, "page": paginate(request, evaluations),
        "can_see_figures": _leads_or_supervises(request.user),
    })


@login_required
def evaluation_detail(request, pk):
    evaluation = selectors.get_evaluation_for(request.user, pk)
    rectification = selectors.rectification_of(evaluation)
    actions = []
    if rectification is not None:
        actions = rectification_actions_for(
            rectification.state, selectors.evaluation_roles(request.user, evaluation),
            selectors.rectification_facts(rectification))
    return render(request, "evaluations/detail.html", {
        "evaluation": evaluation, "rectification": rectification, "actions": actions,
        "history": selectors.evaluation_history(evaluation),
    })


@login_required
def rectification_list(request):
    form = RectificationFilterForm(request.GET or None)
    rectifications = selectors.filter_rectifications(
        selectors.rectifications_visible_to(request.user), **form.filters())
    return render(request, "evaluations/rectifications.html", {
        "form": form, "page": paginate(request, rectifications),
    })


@login_required
def rectification_action(request, pk, action):
    rectification = (selectors.rectifications_visible_to(request.user)
                     .select_related("evaluation__case__agency").filter(pk=pk).first())
    workflow_action = RECTIFICATION_ACTIONS.get(action)
    if rectification is None or workflow_action is None:
        raise Http404
    evaluation = rectification.evaluation
    detail_url = reverse("evaluations:detail", args=[evaluation.pk])
    roles = selectors.evaluation_roles(request.user, evaluation)
    if not workflow_action.allows(rectification.state, roles,
                                  selectors.rectification_facts(rectification)):
        refusal = NotAllowed() if not workflow_action.roles & roles else InvalidTransition()
        messages.error(request, refusal.message)
        return htmx_redirect(request, detail_url)
    data = request.POST if request.method == "POST" else None
    form = RECTIFICATION_ACTION_FORMS[action](data, rectification=rectification)
    outcome = submit_to_service(request, form, services.RECTIFICATION_ACTION_SERVICES[action],
                                rectification=rectification, by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow_action.label})
        return htmx_redirect(request, detail_url)
    return render(request, "evaluations/rectification_action.html", {
        "form": form, "action": workflow_action, "rectification": rectification,
        "evaluation": evaluation,
        "post_url": reverse("evaluations:rectification_action", args=[pk, action]),
    })


def _leads_or_supervises(user):
    return bool(agency_paths_for(user, Role.CHIEF_SPECIALIST)
                or agency_paths_for(user, Role.SUPERVISOR))


@login_required
def summary(request):
    """Ratings per specialist and per department over a period, in the viewer's agency tree."""
    if not _leads_or_supervises(request.user):
        raise Http404
    form = PeriodForm(request.GET)
    start, end = form.period()
    return render(request, "evaluations/summary.html", {
        "form": form, "start": start, "end": end,
        "totals": selectors.rating_totals(request.user, start, end),
        "specialists": selectors.ratings_by_specialist(request.user, start, end),
        "departments": selectors.ratings_by_department(request.user, start, end),
    })

