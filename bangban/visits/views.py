"""Pages for visits and activities: the list, recording one, its page, and the quarterly
government–enterprise interaction statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bangban.core.views import Submission, paginate, submit_to_service
from bangban.visits import selectors, services
from bangban.visits.forms import ActivityFilterForm, ActivityForm, StatisticsForm
from bangban.visits.models import ActivityKind


@login_required
def activity_list(request):
    if not selectors.is_reader(request.user):
        raise PermissionDenied
    form = ActivityFilterForm(request.GET or None)
    activities = selectors.filter_activities(selectors.activities_visible_to(request.user),
                                             **form.filters())
    return render(request, "visits/list.html", {
        "form": form, "page": paginate(request, activities),
        "can_create": selectors.keeper_agencies(request.user).exists(),
    })


@login_required
def create(request):
    agencies = selectors.keeper_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    initial = {"kind": request.GET.get("kind", ""),
               "case_number": request.GET.get("case", "")}
    form = ActivityForm(data, user=request.user, agencies=agencies, initial=initial)
    outcome = submit_to_service(request, form, services.record_activity, by=request.user)
    if outcome is not Submission.TO_CORRECT:
        if outcome is Submission.DONE:
            messages.success(request, _("The visit or activity is recorded."))
        return redirect("visits:list")
    return render(request, "visits/form.html", {"form": form})


@login_required
def detail(request, pk):
    return render(request, "visits/detail.html",
                  {"activity": selectors.get_activity_for(request.user, pk)})


@login_required
def statistics(request):
    agencies = selectors.statistics_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    form = StatisticsForm(request.GET, agencies=agencies)
    period = form.period()
    table = None
    if period is not None:
        agency, quarter = period
        table = selectors.quarterly_statistics(agency=agency, quarter=quarter)
        table["agency"], table["quarter"] = agency, quarter
    return render(request, "visits/statistics.html", {
        "form": form, "table": table, "kinds": ActivityKind.choices,
    })
