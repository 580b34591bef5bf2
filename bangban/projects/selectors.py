"""Reads for projects: a company's contacts see its projects, staff those of their agencies."""

from django.db.models import Q
from django.http import Http404

from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import company_ids_of, memberships_of
from bangban.projects.models import Project

# Staff who see the projects of their agency and of the agencies below it.
PROJECT_READER_ROLES = frozenset(
    {Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.ADMINISTRATOR}
)


def _reader_paths(user):
    return sorted({m.agency.path for m in memberships_of(user) if m.role in PROJECT_READER_ROLES})


def projects_visible_to(user):
    if not user.is_authenticated:
        return Project.objects.none()
    condition = Q(company_id__in=company_ids_of(user))
    for path in _reader_paths(user):
        condition |= Q(agency__path__startswith=path)
    return (
        Project.objects.filter(condition)
        .select_related("company", "agency")
        .order_by("-created_at", "-pk")
    )


def projects_of_company_user(user):
    """The projects of the companies the user acts for (what they may apply for)."""
    if not user.is_authenticated:
        return Project.objects.none()
    return (
        Project.objects.filter(company_id__in=company_ids_of(user))
        .select_related("company", "agency")
        .order_by("-created_at", "-pk")
    )


def get_project_for(user, pk):
    project = (
        projects_visible_to(user)
        .prefetch_related("cases")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def agencies_for_projects():
    """Every agency a project may be filed with: the top levels and their districts."""
    return Agency.objects.select_related("parent").order_by("path")
