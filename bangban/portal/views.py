"""The workbench: one page with a section for every role the user holds.

Each section's list is one page of a selector's rows, so the page costs the same number of
queries however long the lists are.
"""

from django.shortcuts import redirect, render

from bangban.accounts.models import Role
from bangban.accounts.permissions import roles_of_user
from bangban.cases import selectors
from bangban.cases.workflow import CaseState, ItemState
from bangban.core.views import paginate
from bangban.deadlines.models import WarningLevel
from bangban.portal import selectors as portal_selectors
from bangban.projects.selectors import projects_of_company_user
from bangban.supervision import selectors as supervision_selectors

OVERVIEW_CASE_STATES = [s for s in CaseState if s != CaseState.DRAFT]


def _company_section(request):
    user = request.user
    return {
        "projects": paginate(request, projects_of_company_user(user), "projects_page"),
        "cases": paginate(request, selectors.cases_of_company_user(user), "company_page"),
    }


def _chief_section(request):
    state = request.GET.get("state", "")
    if state not in CaseState.values:
        state = ""
    return {
        "intake": paginate(request, selectors.intake_queue(request.user), "intake_page",
                           as_rows=selectors.case_rows),
        "cases": paginate(request, selectors.agency_cases(request.user, state=state or None),
                          "agency_page", as_rows=selectors.case_rows),
        "state": state,
        "states": CaseState.choices,
    }


def _specialist_section(request):
    user = request.user
    return {
        "cases": paginate(request, selectors.cases_of_specialist(user), "mine_page",
                          as_rows=portal_selectors.specialist_case_rows),
        "items": paginate(request, selectors.items_waiting_for_specialist(user),
                          "waiting_page", as_rows=portal_selectors.item_rows),
    }


def _department_section(request):
    return {"items": paginate(request, selectors.items_for_department(request.user),
                              "department_page", as_rows=portal_selectors.item_rows),
            "notices": paginate(
                request, supervision_selectors.open_notices_for_department(request.user),
                "notices_page", as_rows=supervision_selectors.notice_rows)}


def _supervisor_section(request, *, with_cases):
    rows = [
        {
            "agency": row["agency"],
            "cases": [row["cases"].get(state, 0) for state in OVERVIEW_CASE_STATES],
            "items": [row["items"].get(state, 0) for state in ItemState],
            "warnings": [row["warnings"].get(level, 0) for level in WarningLevel],
        }
        for row in selectors.agency_overview(request.user)
    ]
    totals = {
        "cases": [sum(column) for column in zip(*(r["cases"] for r in rows))],
        "items": [sum(column) for column in zip(*(r["items"] for r in rows))],
        "warnings": [sum(column) for column in zip(*(r["warnings"] for r in rows))],
    }
    section = {
        "rows": rows, "totals": totals if len(rows) > 1 else None,
        "notice_counts": [
            (level, counts)
            for level, counts in supervision_selectors.notice_counts_by_level(request.user).items()
        ],
        "case_states": [s.label for s in OVERVIEW_CASE_STATES],
        "item_states": [s.label for s in ItemState],
        "warning_levels": list(WarningLevel),
    }
    if with_cases:
        section["cases"] = paginate(request, selectors.agency_cases(request.user),
                                    "supervised_page", as_rows=selectors.case_rows)
    return section


def workbench(request):
    if not request.user.is_authenticated:
        # The site's front door: anonymous visitors get the public service introduction.
        return redirect("public:home")
    roles = roles_of_user(request.user)
    context = {"roles": roles}
    if Role.APPLICANT in roles:
        context["company"] = _company_section(request)
    if Role.CHIEF_SPECIALIST in roles:
        context["chief"] = _chief_section(request)
    if Role.SPECIALIST in roles:
        context["specialist"] = _specialist_section(request)
    if Role.DEPARTMENT_REPRESENTATIVE in roles:
        context["department"] = _department_section(request)
    if Role.SUPERVISOR in roles:
        # A chief's section already lists the agency's cases.
        context["supervisor"] = _supervisor_section(
            request, with_cases=Role.CHIEF_SPECIALIST not in roles
        )
    return render(request, "portal/workbench.html", context)
