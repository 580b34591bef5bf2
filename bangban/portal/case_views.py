"""The case's plan as a timeline, for the company and the staff who see the case."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.cases import selectors as case_selectors
from bangban.deadlines.selectors import current_calendar
from bangban.portal.selectors import actual_dates
from bangban.portal.timeline import build_timeline


@login_required
def case_timeline(request, pk):
    user = request.user
    case = case_selectors.get_case_for(user, pk)
    # The company sees its items once the service guide is published, as on the case page.
    published = case.plan_published_at is not None
    items = case_selectors.visible_items_of(user, case)
    if case_roles(user, case) == {Role.APPLICANT} and not published:
        items = []
    timeline = build_timeline(
        case, items, actual=actual_dates(case) if items else {},
        today=timezone.localdate(), calendar=current_calendar(case.agency),
    )
    return render(request, "portal/case_timeline.html", {
        "case": case, "timeline": timeline, "published": published,
    })
