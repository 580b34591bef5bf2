"""Reads for projects: a company's contacts see its projects, staff those of their agencies."""

from django.db.models import Prefetch, Q
from django.http import Http404

from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import company_ids_of, memberships_of
from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import FINISHED_ITEM_STATES, CaseState
from bangban.projects.models import KeyProjectTeam, KeyProjectTeamMember, Project

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


# ------------------------------------------------------------------ key projects


def key_team_of(project):
    """The key project's team with its members, or None (two queries)."""
    team = (KeyProjectTeam.objects.filter(project=project)
            .select_related("specialist", "chief", "set_up_by").first())
    if team is not None:
        team.member_list = list(team.members.select_related("user", "department"))
    return team


def is_project_staff(user):
    return bool(_reader_paths(user))


def _current_stage(items):
    """The earliest stage with an unfinished item, or None when every item is finished."""
    open_stages = [item.matter.stage for item in items
                   if item.state not in FINISHED_ITEM_STATES]
    return min(open_stages, key=lambda stage: stage.code) if open_stages else None


def key_project_ledger(user):
    """重点项目动态台账: the key projects of the agencies the user works for, each with its
    team and its submitted cases (drafts are the company's own), every case with its items,
    their lights and its current stage. A constant number of queries for any number of rows
    (the projects, then one per prefetched relation); `with_stages` adds the stages."""
    paths = _reader_paths(user)
    if not paths:
        return Project.objects.none()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(agency__path__startswith=path)
    items = CaseItem.objects.select_related("matter__stage", "department").order_by(
        "position", "pk")
    cases = (Case.objects.exclude(state=CaseState.DRAFT).select_related("specialist")
             .prefetch_related(Prefetch("items", queryset=items)).order_by("created_at", "pk"))
    return (
        Project.objects.filter(condition, is_key_project=True)
        .select_related("company", "agency", "key_team__specialist", "key_team__chief")
        .prefetch_related(
            Prefetch("cases", queryset=cases, to_attr="ledger_cases"),
            Prefetch("key_team__members",
                     queryset=KeyProjectTeamMember.objects.select_related("user", "department")),
        )
        .order_by("agency__path", "-created_at", "-pk")
    )


def with_stages(projects):
    """Sets `current_stage` on each ledger case, and
    `ledger_rows` on each project: its cases, or [None] for a project without one."""
    for project in projects:
        project.ledger_rows = project.ledger_cases or [None]
        for case in project.ledger_cases:
            case.current_stage = _current_stage(case.items.all())
    return projects
