"""Key projects in the demo (`manage.py demo_data`, called by bangban.core.demo).

The first key project with a running case gets its dedicated team (Hunan 三(二)), set up by
the chief specialist through the service: the case's specialist, the chief, and the
representatives of the departments its items were pushed to — so the project page shows the
team and the key-project ledger shows it with the case's stage and lights.

Nothing is added when any team exists already (a second run).
"""

from django.db import transaction

from bangban.accounts.models import Membership, Role
from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import CaseState
from bangban.projects import services
from bangban.projects.models import KeyProjectTeam, Project


def _case_of(project):
    return (Case.objects.filter(project=project, specialist__isnull=False)
            .exclude(state=CaseState.DRAFT).select_related("specialist")
            .order_by("-created_at").first())


def play_key_projects(builder):
    """Sets up a key project's team; returns how many teams it set up."""
    if KeyProjectTeam.objects.exists():
        return 0
    projects = Project.objects.filter(is_key_project=True).select_related("agency").order_by(
        "pk")
    running = [p for p in projects if p.cases.filter(state=CaseState.IN_PROGRESS).exists()]
    project = (running or list(projects) or [None])[0]
    if project is None:
        builder.log("  note: no key project for a dedicated team.")
        return 0
    chief = builder.chief_for(project.agency)
    case = _case_of(project)
    specialist = case.specialist if case else chief
    departments = set(CaseItem.objects.filter(case__project=project, pushed_at__isnull=False)
                      .values_list("department_id", flat=True))
    path = project.agency.path
    representatives = [
        m for m in Membership.objects.filter(
            role=Role.DEPARTMENT_REPRESENTATIVE, department_id__in=departments,
            user__is_active=True).select_related("user", "department", "agency").order_by("pk")
        if path.startswith(m.agency.path) or m.agency.path.startswith(path)
    ]
    clock = builder.clock
    clock.set(clock.latest())
    with transaction.atomic():
        services.set_up_key_project_team(
            project=project, by=chief, specialist=specialist, chief=chief,
            representatives=representatives,
            note="一个产业项目、一个推进团队、一套服务方案、一个最优流程。")
    clock.stop()
    builder.created["key project teams"] += 1
    return 1
