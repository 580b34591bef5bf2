"""The policy library (优惠政策, SPEC §11), open to everyone, and the page where a case's
specialist places policies in its service guide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangban.accounts.permissions import case_roles
from bangban.cases.selectors import get_case_for
from bangban.core.errors import DomainError
from bangban.core.views import Submission, paginate, submit_to_service
from bangban.policies import selectors, services
from bangban.policies.forms import LinkPolicyForm, PolicySearchForm
from bangban.policies.models import Policy
from bangban.policies.workflow import LINKING_ROLES, can_link_policies


def policy_list(request):
    form = PolicySearchForm(request.GET or None)
    policies = selectors.search_policies(**form.filters())
    return render(request, "policies/list.html", {
        "form": form, "page": paginate(request, policies), "tags": selectors.tags_in_use(),
    })


def policy_detail(request, pk):
    return render(request, "policies/detail.html",
                  {"policy": selectors.get_published_policy(pk)})


def _case_page(request, case, form=None):
    can_link = can_link_policies(case.state, case_roles(request.user, case))
    if can_link and form is None:
        form = LinkPolicyForm(case=case)
    return render(request, "policies/case_policies.html", {
        "case": case, "links": selectors.policies_of_case(case), "can_link": can_link,
        "form": form if can_link else None,
    })


def _case_for_linking(request, case_pk):
    """The case, for a user who may change its guide's policies: 404 for a case the user may
    not see, 403 for one the user may only read."""
    case = get_case_for(request.user, case_pk)
    roles = case_roles(request.user, case)
    if not any(role in roles for role in LINKING_ROLES):
        raise PermissionDenied
    return case


@login_required
def case_policies(request, case_pk):
    return _case_page(request, get_case_for(request.user, case_pk))


@login_required
@require_POST
def link_policy(request, case_pk):
    case = _case_for_linking(request, case_pk)
    form = LinkPolicyForm(request.POST, case=case)
    outcome = submit_to_service(request, form, services.link_policy_to_case,
                                case=case, by=request.user)
    if outcome is Submission.TO_CORRECT:
        return _case_page(request, case, form)
    if outcome is Submission.DONE:
        messages.success(request, _("The policy was added to the service guide."))
    return redirect("policies:case_policies", case_pk=case.pk)


@login_required
@require_POST
def unlink_policy(request, case_pk, policy_pk):
    case = _case_for_linking(request, case_pk)
    policy = get_object_or_404(Policy, pk=policy_pk)
    try:
        services.unlink_policy_from_case(case=case, policy=policy, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The policy was removed from the service guide."))
    return redirect(reverse("policies:case_policies", args=[case.pk]))
