"""Pages where a company's contact fills in, edits and submits the application form.

Saving a draft and submitting it in one click happen in one transaction: when submitting
fails, the draft is not saved either and the form shows why.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles, company_ids_of
from bangban.cases import selectors, services
from bangban.cases.application_forms import ApplicationForm
from bangban.cases.models import Case
from bangban.cases.workflow import CaseState, case_actions_for
from bangban.core.forms import add_service_error
from bangban.core.errors import DomainError
from bangban.projects.selectors import projects_of_company_user

SUBMIT = "submit"


def _company_case(user, pk):
    """A case of one of the user's companies, or 404: nobody edits another company's case."""
    case = (
        Case.objects.filter(project__company_id__in=company_ids_of(user))
        .select_related("project__company", "agency", "company_contact")
        .prefetch_related("requested_stages", "requested_matters")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _summaries(projects):
    return {str(p.pk): p.description for p in projects}


def _run(form, request, write):
    """Runs `write()` in one transaction; a refusal leaves nothing behind and shows why."""
    try:
        with transaction.atomic():
            return write()
    except ValidationError as error:
        add_service_error(form, error)
    except DomainError as error:
        form.add_error(None, error.message)
    return None


def _after_save(request, case, submitted):
    if submitted:
        messages.success(request, _("Application %(number)s is submitted. The chief specialist "
                                    "will decide on it and you will be notified.")
                         % {"number": case.number})
    else:
        messages.success(request, _("The application is saved as a draft. Submit it when it "
                                    "is complete."))
    return redirect("applications:detail", pk=case.pk)


@login_required
def new(request):
    projects = list(projects_of_company_user(request.user))
    if not company_ids_of(request.user):
        messages.error(request, _("Only a company's contacts can apply. Register your company "
                                  "or ask its contact to invite you."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    initial = {}
    chosen = request.GET.get("project")
    for project in projects:
        if chosen and str(project.pk) == chosen:
            initial = {"project": project.pk, "project_summary": project.description}
    own_contact = request.user.company_contacts.order_by("-is_representative", "pk").first()
    if own_contact is not None:
        initial["company_contact"] = own_contact.pk
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        submitting = request.POST.get("action") == SUBMIT

        def write():
            case = services.create_application(
                by=request.user, project=form.cleaned_data["project"], **form.service_fields()
            )
            if submitting:
                case = services.submit_application(case=case, by=request.user)
            return case

        case = _run(form, request, write)
        if case is not None:
            return _after_save(request, case, submitting)
    return render(request, "applications/form.html", {
        "form": form, "projects": projects, "summaries": _summaries(projects),
    })


@login_required
def edit(request, pk):
    case = _company_case(request.user, pk)
    if case.state != CaseState.DRAFT:
        messages.error(request, _("Only a draft application can be changed; this one is "
                                  "“%(state)s”.") % {"state": case.get_state_display()})
        return redirect("applications:detail", pk=case.pk)
    initial = {
        "mode": case.mode, "scope": case.scope, "project_summary": case.project_summary,
        "requested_items_note": case.requested_items_note,
        "company_contact": case.company_contact_id,
        "requested_stages": [s.pk for s in case.requested_stages.all()],
        "requested_matters": [m.pk for m in case.requested_matters.all()],
    }
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, user=request.user, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        submitting = request.POST.get("action") == SUBMIT

        def write():
            changed = services.update_application(
                case=case, by=request.user, **form.service_fields()
            )
            if submitting:
                changed = services.submit_application(case=changed, by=request.user)
            return changed

        changed = _run(form, request, write)
        if changed is not None:
            return _after_save(request, changed, submitting)
    return render(request, "applications/form.html", {"form": form, "case": case})


@login_required
@require_POST
def submit(request, pk):
    case = _company_case(request.user, pk)
    try:
        case = services.submit_application(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, _("The application is not complete yet: %(problems)s")
                       % {"problems": " ".join(error.messages)})
        return redirect("applications:edit", pk=case.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        return _after_save(request, case, True)
    return redirect("applications:detail", pk=case.pk)


@login_required
def detail(request, pk):
    """The application form as filed (Hunan 附件2), with the intake's opinion once decided."""
    case = selectors.get_case_for(request.user, pk)
    roles = case_roles(request.user, case)
    if case.state == CaseState.DRAFT and Role.APPLICANT not in roles:
        raise Http404  # a draft is the company's own business until it is submitted
    actions = {a.name for a in case_actions_for(case.state, roles)}
    return render(request, "applications/detail.html", {
        "case": case,
        "can_edit": "edit_application" in actions,
        "can_submit": "submit" in actions,
    })
