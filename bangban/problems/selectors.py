"""Read queries for problems, scoped to what the user may see, and the policy in force.

Who sees a problem: the contacts of the case's company, the case's specialist, the chief
specialists and supervisors of the case's agency or an agency above it, and the
representatives of the problem's department. Nobody else (404).
"""

from django.db.models import Q
from django.http import Http404

from bangban.accounts.agency_tree import agency_ids_upwards, nearest_policy
from bangban.accounts.models import Department, Role
from bangban.accounts.permissions import (
    agency_paths_for,
    case_roles,
    company_ids_of,
    department_ids_for,
)
from bangban.accounts.system import is_system_user
from bangban.cases.models import LedgerEntry
from bangban.problems.models import Problem, ProblemPolicy, default_policy_value
from bangban.problems.workflow import SYSTEM, TOP_LEVEL, ProblemState

PROBLEM_LIST_RELATED = ("case__project__company", "case__specialist", "item__matter",
                        "department")
PROBLEM_ROLES = frozenset({Role.APPLICANT, Role.SPECIALIST, Role.CHIEF_SPECIALIST,
                           Role.SUPERVISOR})


def _under(paths, field="case__agency__path"):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


# ------------------------------------------------------------------------------ policy




def policy_for(agency):
    """The problem policy in force at `agency`: its own, else its nearest ancestor's, else an
    unsaved policy holding the defaults (one query)."""
    return nearest_policy(ProblemPolicy, agency, lambda: ProblemPolicy(agency=agency, **{
        name: default_policy_value(name)
        for name in ("level_1_days", "level_2_days", "level_3_days", "level_4_days")
    }))


# ------------------------------------------------------------------------------ roles


def problem_roles(user, problem):
    """The roles `user` holds towards `problem` (see workflow.PROBLEM_ACTIONS)."""
    if is_system_user(user):
        return frozenset({SYSTEM})
    if not user.is_authenticated:
        return frozenset()
    roles = set(case_roles(user, problem.case) & PROBLEM_ROLES)
    if problem.department_id in department_ids_for(user):
        roles.add(Role.DEPARTMENT_REPRESENTATIVE)
    return frozenset(roles)


def is_company_side(roles):
    """The company sees its problem without the department's internal answer."""
    return Role.APPLICANT in roles and not roles & {Role.SPECIALIST, Role.CHIEF_SPECIALIST,
                                                    Role.SUPERVISOR,
                                                    Role.DEPARTMENT_REPRESENTATIVE}


def raisable_departments(case):
    """Departments a problem on `case` may name: those of the case's agency and the agencies
    above it, and those its items were assigned to (at another level, Binzhou 7.4.2)."""
    ids = agency_ids_upwards(case.agency)
    return (Department.objects.filter(is_active=True)
            .filter(Q(agency_id__in=ids) | Q(case_items__case=case))
            .select_related("agency").distinct().order_by("agency__path", "name"))


# ------------------------------------------------------------------------------ lists


def problems_visible_to(user):
    if not user.is_authenticated:
        return Problem.objects.none()
    condition = (Q(department_id__in=department_ids_for(user)) | Q(case__specialist=user)
                 | Q(case__project__company_id__in=company_ids_of(user)))
    condition |= _under(
        agency_paths_for(user, Role.CHIEF_SPECIALIST) + agency_paths_for(user, Role.SUPERVISOR)
    )
    return Problem.objects.filter(condition).select_related(*PROBLEM_LIST_RELATED)


def get_problem_for(user, pk):
    """The problem with what its page shows, or 404 when the user may not see it."""
    problem = (
        problems_visible_to(user)
        .select_related("agency", "case__agency", "item__matter", "raised_by", "answered_by",
                        "relayed_by", "closed_by", "feedback_letter__sent_by")
        .prefetch_related("attachments", "escalations__by")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404
    return problem


def filter_problems(problems, *, state="", level=None, overdue=False, today=None):
    if state:
        problems = problems.filter(state=state)
    if level:
        problems = problems.filter(level=level)
    if overdue:
        problems = overdue_problems(problems, today)
    return problems.order_by("-raised_at", "-pk")


def overdue_problems(problems, today):
    """Unanswered problems past their level's due date."""
    return problems.filter(state=ProblemState.OPEN, due_on__lt=today)


def problems_of_case(user, case):
    return problems_visible_to(user).filter(case=case).order_by("-raised_at", "-pk")


def problems_of_meeting(user, meeting):
    """The problems on `meeting`'s agenda that the user may see (an invited expert may see
    the meeting without seeing its problems)."""
    return problems_visible_to(user).filter(meetings=meeting).order_by("pk")


def problem_history(problem):
    """The problem's ledger entries, oldest first."""
    return (
        LedgerEntry.objects.filter(case_id=problem.case_id, action__startswith="problem_",
                                   details__problem=problem.number)
        .select_related("actor")
        .order_by("at", "pk")
    )


# ------------------------------------------------------------------------------ the worker


def problems_due_for_escalation(today):
    """Open problems below the top level whose level's due date has passed."""
    return (
        Problem.objects.filter(state=ProblemState.OPEN, next_escalation_on__lte=today)
        .exclude(level=TOP_LEVEL)
        .order_by("next_escalation_on", "pk")
    )
