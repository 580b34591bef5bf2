"""The dashboard (SPEC §9) and the list behind each of its numbers.

Every number links to `dashboards:list` with the dashboard's own filters, so the list shows
exactly the rows counted. Charts are drawn by static/js/dashboards.js from the `charts`
json_script block; without JavaScript the tables say the same.
"""

import calendar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangban.cases.selectors import case_rows
from bangban.cases.workflow import CaseState, ItemState
from bangban.consultations.workflow import ConsultationState
from bangban.core.views import paginate
from bangban.dashboards import selectors
from bangban.dashboards.forms import DashboardFilterForm, Period
from bangban.deadlines.models import WarningLevel
from bangban.problems.workflow import ProblemLevel

WARNING_COLOURS = {WarningLevel.GREEN: "#198754", WarningLevel.YELLOW: "#ffc107",
                   WarningLevel.RED: "#dc3545"}


def _reader_form(request):
    if not selectors.is_dashboard_reader(request.user):
        raise PermissionDenied
    return DashboardFilterForm(request.GET, user=request.user)


def _query(request, **overrides):
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in overrides.items():
        query[key] = value
    return query.urlencode()


class _Links:
    """Builds a row (label, number, link to its list) of one set of figures."""

    def __init__(self, request, counts, set_name, **overrides):
        self.counts, self.set_name = counts, set_name
        self.query = _query(request, **overrides)

    def url(self, figure):
        return f"{reverse('dashboards:list', args=[self.set_name, figure])}?{self.query}"

    def row(self, label, figure, shown=None):
        count = self.counts[figure]
        return {"label": label, "count": count, "url": self.url(figure),
                "shown": count if shown is None else shown}


def _tables(request, figures):
    cases = _Links(request, figures["cases"], "cases")
    items = _Links(request, figures["items"], "items")
    decided = _Links(request, figures["decided"], "decided")
    consultations = _Links(request, figures["consultations"], "consultations")
    problems = _Links(request, figures["problems"], "problems")
    ratings = _Links(request, figures["ratings"], "ratings")
    time = figures["time"]

    def days(value):
        return "—" if value is None else f"{value:.1f}"

    return {
        "cases": [cases.row(s.label, f"state.{s}") for s in CaseState if s != CaseState.DRAFT]
        + [cases.row(_("All cases"), "all")],
        "key_projects": [cases.row(_("Cases of key projects"), "key"),
                         cases.row(_("of which open"), "key.open")],
        "items": [items.row(s.label, f"state.{s}") for s in ItemState]
        + [items.row(_("All items"), "all")],
        "warnings": [items.row(w.label, f"warning.{w}") for w in WarningLevel]
        + [items.row(_("Items with a running clock"), "running")],
        "decided": [decided.row(_("Items decided"), "all"),
                    decided.row(_("decided after their due date"), "late")],
        "time": [
            decided.row(_("Average working days used"), "timed", days(time["used"])),
            decided.row(_("Average promised limit"), "timed", days(time["promised"])),
            decided.row(_("Average legal limit"), "legal", days(time["legal_limit"])),
            decided.row(_("Average days used (items with a legal limit)"), "legal",
                        days(time["used_legal"])),
            decided.row(_("Days saved on the legal limit"), "legal", days(time["saved"])),
        ],
        "consultations": [consultations.row(s.label, f"state.{s}") for s in ConsultationState]
        + [consultations.row(_("First inquiries"), "first"),
           consultations.row(_("All consultations"), "all")],
        "problems": [problems.row(level.label, f"level.{int(level)}") for level in ProblemLevel]
        + [problems.row(_("All problems"), "all"),
           problems.row(_("Not yet settled"), "active"),
           problems.row(_("Unanswered past the due date"), "overdue"),
           problems.row(_("Not settled, raised up to 5 days ago"), "age.0"),
           problems.row(_("Not settled, raised 6 to 15 days ago"), "age.6"),
           problems.row(_("Not settled, raised more than 15 days ago"), "age.16")],
        "ratings": [ratings.row(_("Satisfied"), "good"), ratings.row(_("Neutral"), "neutral"),
                    ratings.row(_("Dissatisfied"), "bad"), ratings.row(_("All ratings"), "all")],
    }


def _trend(request, figures):
    rows = []
    for month, submitted, decided in figures["trend"]:
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        within = {"period": Period.CUSTOM, "start": month.isoformat(), "end": last.isoformat()}
        rows.append({
            "month": month,
            "cases": _Links(request, {"all": submitted}, "cases", **within).row("", "all"),
            "decided": _Links(request, {"all": decided}, "decided", **within).row("", "all"),
        })
    return rows


def _series(name, rows, colours=None):
    return {"name": name, "values": [row["count"] for row in rows],
            "urls": [row["url"] for row in rows], "colours": colours or []}


def _charts(tables, trend):
    states = [row for row in tables["cases"][:-1] if row["count"]]
    warnings = tables["warnings"][:-1]
    return [
        {"id": "chart-cases", "type": "pie", "title": _("Cases by state"),
         "labels": [row["label"] for row in states], "series": [_series(_("Cases"), states)]},
        {"id": "chart-warnings", "type": "pie", "title": _("Warning lights of running items"),
         "labels": [row["label"] for row in warnings],
         "series": [_series(_("Items"), warnings, list(WARNING_COLOURS.values()))]},
        {"id": "chart-items", "type": "bar", "title": _("Items by state"),
         "labels": [row["label"] for row in tables["items"][:-1]],
         "series": [_series(_("Items"), tables["items"][:-1])]},
        {"id": "chart-problems", "type": "bar", "title": _("Problems by level"),
         "labels": [row["label"] for row in tables["problems"][:4]],
         "series": [_series(_("Problems"), tables["problems"][:4])]},
        {"id": "chart-trend", "type": "line", "title": _("Month by month"),
         "labels": [row["month"].strftime("%Y-%m") for row in trend],
         "series": [_series(_("Cases submitted"), [row["cases"] for row in trend]),
                    _series(_("Items decided"), [row["decided"] for row in trend])]},
    ]


@login_required
def dashboard(request):
    form = _reader_form(request)
    context = {"form": form}
    if form.is_valid():
        filters = form.filters()
        figures, counted_at = selectors.recent_dashboard_figures(request.user, filters)
        tables = _tables(request, figures)
        trend = _trend(request, figures)
        context.update(filters=filters, figures=figures, counted_at=counted_at, tables=tables,
                       trend=trend,
                       charts=[chart for chart in _charts(tables, trend)
                               if any(sum(s["values"]) for s in chart["series"])])
    return render(request, "dashboards/dashboard.html", context)


LIST_TITLES = {
    "cases": gettext_lazy("Cases"), "items": gettext_lazy("Items"),
    "decided": gettext_lazy("Items decided"), "consultations": gettext_lazy("Consultations"),
    "problems": gettext_lazy("Problems"), "ratings": gettext_lazy("Ratings"),
}


@login_required
def figure_list(request, set_name, figure):
    form = _reader_form(request)
    try:
        selectors.set_figures(set_name)[figure]
    except KeyError:
        raise Http404 from None
    page = None
    if form.is_valid():
        rows = selectors.figure_rows(request.user, set_name, figure, form.filters())
        page = paginate(request, rows, as_rows=case_rows if set_name == "cases" else None)
    return render(request, "dashboards/list.html", {
        "form": form, "page": page, "set_name": set_name, "figure": figure,
        "title": LIST_TITLES[set_name], "dashboard_url":
        f"{reverse('dashboards:dashboard')}?{_query(request)}",
    })
