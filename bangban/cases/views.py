"""Case pages: the list, the case page, and one view each for case and item actions.

Views parse a form and call one service; a `DomainError` becomes a message and changes
nothing, a `ValidationError` is shown on the form. Which actions exist for whom comes from
`workflow.py` only. Action forms load into the case page's modal through htmx and work as
plain pages without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import case_roles, item_roles
from bangban.audit.masking import needs_personal_data
from bangban.cases import selectors, services
from bangban.cases.forms import (
    CASE_ACTION_FORMS,
    ITEM_ACTION_FORMS,
    CaseFilterForm,
    ItemPlanForm,
)
from bangban.cases.workflow import (
    CASE_ACTIONS,
    ITEM_ACTIONS,
    case_actions_for,
    item_actions_for,
)
from bangban.core.errors import DomainError, InvalidTransition, NotAllowed
from bangban.core.views import Submission, htmx_redirect, paginate, submit_to_service
from bangban.deadlines.item_clock import pauses_of, read_item_clock
from bangban.deadlines.selectors import current_calendars
from bangban.documents.models import DocumentKind
from bangban.supervision.selectors import active_notices_by_item

# "Edit plan" on the case adds an item; changing or removing one has its own view below.
CASE_ACTION_CALLS = {**services.CASE_ACTION_SERVICES, "edit_plan": services.add_item}
ITEM_ACTION_CALLS = services.ITEM_ACTION_SERVICES


def _bound(request):
    """The form's data and files on POST (even when empty: a bare confirmation), else None."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _refusal(action, roles):
    """Why `action` cannot be done: the message a service would give for the same reason."""
    if not action.roles & set(roles):
        return NotAllowed()
    return InvalidTransition()


@login_required
def case_list(request):
    visible = selectors.cases_visible_to(request.user)
    agencies = Agency.objects.filter(pk__in=visible.values("agency_id"))
    form = CaseFilterForm(request.GET or None, agencies=agencies)
    cases = selectors.with_worst_warning(form.filter(visible)).order_by("-created_at", "-pk")
    return render(request, "cases/list.html", {
        "form": form, "page": paginate(request, cases, as_rows=selectors.case_rows),
    })


def _viewer(roles):
    """How the user looks at the case: as staff, as the company, or as a department."""
    if roles - {Role.APPLICANT}:
        return "staff"
    if roles:
        return "company"
    return "department"


# The columns the case page shows of a document and of a ledger entry (_documents.html,
# _ledger.html; `case` for the related manager to set it on each row without a query).
DOCUMENT_PAGE_FIELDS = (
    "case", "kind", "title", "version", "size", "uploaded_at", "item__matter__name",
    "uploaded_by__full_name", "uploaded_by__username",
)
LEDGER_PAGE_FIELDS = (
    "case", "at", "actor__full_name", "actor__username", "actor_role", "action", "from_state",
    "to_state", "reason", "details", "item__matter__name",
)


def _visible_documents(case, viewer, items, plan_published):
    documents = case.documents.select_related("item__matter", "uploaded_by").only(
        *DOCUMENT_PAGE_FIELDS).order_by("-uploaded_at", "-pk")
    if viewer == "department":
        return documents.filter(
            Q(item_id__in=[i.pk for i in items])
            | Q(item__isnull=True, kind=DocumentKind.APPLICATION)
        )
    if viewer == "company" and not plan_published:
        return documents.filter(item__isnull=True)
    return documents


@login_required
def case_detail(request, pk):
    user = request.user
    case = selectors.get_case_page_for(user, pk)
    roles = case_roles(user, case)
    viewer = _viewer(roles)
    plan_published = case.plan_published_at is not None
    items = selectors.visible_items_of(user, case)
    if viewer == "company" and not plan_published:
        items = []
    # The item's active supervision notice, linked from its row (not shown to the company).
    notices = active_notices_by_item(items) if viewer != "company" else {}
    calendars = current_calendars() if items else None  # one query for every item's clock
    item_rows = [
        {"item": item,
         "actions": item_actions_for(item.state, case.state, item_roles(user, item, roles),
                                     selectors.item_facts(item, pauses=item.clock_pauses)),
         "notice": notices.get(item.pk),
         "clock": read_item_clock(item, calendars=calendars,
                                  pauses=pauses_of(item, item.clock_pauses))}
        for item in items
    ]
    ledger = []
    if viewer != "company":
        ledger = selectors.ledger_of(case).only(*LEDGER_PAGE_FIELDS)
    if viewer == "department":
        ledger = ledger.filter(item_id__in=[i.pk for i in items])
    return render(request, "cases/detail.html", {
        "case": case,
        "viewer": viewer,
        "sees_personal_data": needs_personal_data(roles),
        "case_actions": case_actions_for(case.state, roles, selectors.case_facts(user, case)),
        "item_rows": item_rows,
        "show_guide": viewer == "company" and plan_published,
        "plan_published": plan_published,
        "may_convene": Role.CHIEF_SPECIALIST in roles,
        "documents": _visible_documents(case, viewer, items, plan_published),
        "ledger": ledger,
    })


def _edit_application_url(case):
    try:
        return reverse("applications:edit", args=[case.pk])
    except NoReverseMatch:
        return None


def _render_action(request, *, form, action, case, item=None, post_url):
    context = {
        "form": form, "action": action, "case": case, "item": item, "post_url": post_url,
        "in_modal": bool(request.htmx),
    }
    if action.name == "confirm_completion":
        context["completion_items"] = case.items.select_related("matter", "department")
    if action.name == "edit_plan":
        context["plan_items"] = case.items.select_related("matter", "department")
    if request.htmx:
        return render(request, "cases/partials/_action_form.html", context)
    return render(request, "cases/action.html", context)


@login_required
def case_action(request, pk, action):
    case = selectors.get_case_for(request.user, pk)
    workflow_action = CASE_ACTIONS.get(action)
    if workflow_action is None:
        raise Http404
    detail_url = reverse("cases:detail", args=[case.pk])
    roles = case_roles(request.user, case)
    if not workflow_action.allows(case.state, roles):
        messages.error(request, _refusal(workflow_action, roles).message)
        return htmx_redirect(request, detail_url)
    if action == "edit_application":
        return htmx_redirect(request, _edit_application_url(case) or detail_url)

    form_class = CASE_ACTION_FORMS[action]
    form = form_class(*_bound(request), case=case)
    outcome = submit_to_service(request, form, CASE_ACTION_CALLS[action], case=case,
                                by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow_action.label})
        if action == "edit_plan":
            return htmx_redirect(request, reverse("cases:action", args=[case.pk, action]))
        return htmx_redirect(request, detail_url)
    return _render_action(request, form=form, action=workflow_action, case=case,
                          post_url=reverse("cases:action", args=[case.pk, action]))


def _item_for(user, pk):
    """The item, or 404 unless the user has a role on it (a department: once pushed to it)."""
    item = selectors.get_item_for(user, pk)
    roles = item_roles(user, item)
    if not roles:
        raise Http404
    return item, roles


@login_required
def item_action(request, pk, action):
    item, roles = _item_for(request.user, pk)
    case = item.case
    workflow_action = ITEM_ACTIONS.get(action)
    if workflow_action is None:
        raise Http404
    detail_url = reverse("cases:detail", args=[case.pk]) + f"#item-{item.pk}"
    if workflow_action not in item_actions_for(item.state, case.state, roles):
        messages.error(request, _refusal(workflow_action, roles).message)
        return htmx_redirect(request, detail_url)

    form_class = ITEM_ACTION_FORMS[action]
    form = form_class(*_bound(request), case=case, item=item)
    outcome = submit_to_service(request, form, ITEM_ACTION_CALLS[action], item=item,
                                by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow_action.label})
        return htmx_redirect(request, detail_url)
    return _render_action(request, form=form, action=workflow_action, case=case, item=item,
                          post_url=reverse("cases:item_action", args=[item.pk, action]))


def _may_edit_plan(request, case):
    """True when the user may edit the case's plan now; otherwise says why in a message."""
    roles = case_roles(request.user, case)
    edit_plan = CASE_ACTIONS["edit_plan"]
    if edit_plan.allows(case.state, roles):
        return True
    messages.error(request, _refusal(edit_plan, roles).message)
    return False


@login_required
def plan_item(request, pk):
    item, _roles = _item_for(request.user, pk)
    if not _may_edit_plan(request, item.case):
        return redirect("cases:detail", pk=item.case_id)
    plan_url = reverse("cases:action", args=[item.case_id, "edit_plan"])
    form = ItemPlanForm(*_bound(request), item=item)
    outcome = submit_to_service(request, form, services.update_item_plan, item=item,
                                by=request.user)
    if outcome is Submission.DONE:
        messages.success(request, _("The plan of “%(item)s” is saved.")
                         % {"item": item.matter.name})
    if outcome is not Submission.TO_CORRECT:
        return redirect(plan_url)
    return render(request, "cases/plan_item.html", {
        "form": form, "item": item, "case": item.case, "plan_url": plan_url,
    })


@login_required
@require_POST
def remove_plan_item(request, pk):
    item, _roles = _item_for(request.user, pk)
    if not _may_edit_plan(request, item.case):
        return redirect("cases:detail", pk=item.case_id)
    try:
        services.remove_item(item=item, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(item)s” is removed from the plan.")
                         % {"item": item.matter.name})
    return redirect("cases:action", pk=item.case_id, action="edit_plan")
