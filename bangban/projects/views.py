from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from bangban.accounts.models import Membership, Role
from bangban.accounts.permissions import company_ids_of, memberships_of
from bangban.cases.workflow import CaseState
from bangban.core.forms import add_service_error
from bangban.companies.models import Company
from bangban.core.errors import DomainError
from bangban.core.views import Submission, paginate, submit_to_service
from bangban.projects import selectors, services
from bangban.projects.forms import KeyProjectTeamForm, ProjectForm

PAGE_SIZE = 50


def _companies_for_new_project(user):
    """The companies the user may file a project for."""
    if any(m.role in services.PROJECT_STAFF_ROLES for m in memberships_of(user)):
        return Company.objects.all()
    return Company.objects.filter(pk__in=company_ids_of(user))


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def project_list(request):
    page = Paginator(selectors.projects_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "projects/list.html", {
        "page": page,
        "can_create": _companies_for_new_project(request.user).exists(),
    })


@login_required
def create(request):
    companies = _companies_for_new_project(request.user)
    if not companies.exists():
        messages.error(request, _("Register your company first, or ask its contact to invite "
                                  "you, before adding projects."))
        return redirect("projects:list")
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, companies=companies)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(
                by=request.user, company=form.chosen_company(), **form.project_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Project “%(name)s” is saved.") % {"name": project})
            if next_url:
                separator = "&" if "?" in next_url else "?"
                return redirect(f"{next_url}{separator}project={project.pk}")
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "next": next_url})


@login_required
def edit(request, pk):
    project = selectors.get_project_for(request.user, pk)
    if not services.can_keep_project(request.user, company=project.company,
                                     agency=project.agency):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(project=project, by=request.user, **form.project_fields())
        except ValidationError as error:
            add_service_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Project “%(name)s” is saved.") % {"name": project.name})
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "project": project})


def _can_set_up_team(user, project):
    return project.is_key_project and services.is_staff_of_agency(
        user, project.agency, roles={Role.CHIEF_SPECIALIST})


@login_required
def detail(request, pk):
    project = selectors.get_project_for(request.user, pk)
    is_contact = project.company_id in company_ids_of(request.user)
    cases = [c for c in project.cases.all() if is_contact or c.state != CaseState.DRAFT]
    return render(request, "projects/detail.html", {
        "project": project,
        "cases": cases,
        "is_contact": is_contact,
        "can_edit": services.can_keep_project(request.user, company=project.company,
                                              agency=project.agency),
        "key_team": selectors.key_team_of(project) if project.is_key_project else None,
        "can_set_up_team": _can_set_up_team(request.user, project),
    })


@login_required
def key_team(request, pk):
    """Sets up or changes a key project's dedicated team (chief specialists only)."""
    project = selectors.get_project_for(request.user, pk)
    if not _can_set_up_team(request.user, project):
        if not project.is_key_project:
            raise Http404
        raise PermissionDenied
    team = selectors.key_team_of(project)
    initial = {}
    if team is not None:
        members = {(m.user_id, m.department_id) for m in team.member_list}
        memberships = Membership.objects.filter(
            role=Role.DEPARTMENT_REPRESENTATIVE, user_id__in={user for user, _d in members})
        initial = {
            "specialist": team.specialist_id, "chief": team.chief_id, "note": team.note,
            "representatives": [m.pk for m in memberships
                                if (m.user_id, m.department_id) in members],
        }
    data = request.POST if request.method == "POST" else None
    form = KeyProjectTeamForm(data, project=project, initial=initial)
    outcome = submit_to_service(request, form, services.set_up_key_project_team,
                                project=project, by=request.user)
    if outcome is not Submission.TO_CORRECT:
        if outcome is Submission.DONE:
            messages.success(request, _("The key project's team is set up."))
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/key_team.html", {"form": form, "project": project})


@login_required
def key_ledger(request):
    """重点项目动态台账 (Hunan 三(二)): every key project with its team, cases, stage and
    lights."""
    if not selectors.is_project_staff(request.user):
        raise PermissionDenied
    page = paginate(request, selectors.key_project_ledger(request.user), per_page=20)
    selectors.with_stages(page.object_list)
    return render(request, "projects/key_ledger.html", {"page": page})
