"""The tables of the interface, registered for export (see exports.py). Each `rows` answers
the page's query string with the page's own form and selectors."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Agency
from bangban.audit.masking import mask_phone
from bangban.cases import selectors as case_selectors
from bangban.cases.forms import CaseFilterForm
from bangban.consultations import selectors as consultation_selectors
from bangban.consultations.forms import ConsultationFilterForm
from bangban.dashboards import selectors as dashboard_selectors
from bangban.dashboards.forms import DashboardFilterForm
from bangban.deadlines.models import WarningLevel
from bangban.evaluations import selectors as evaluation_selectors
from bangban.evaluations.forms import EvaluationFilterForm
from bangban.meetings import selectors as meeting_selectors
from bangban.problems import selectors as problem_selectors
from bangban.problems.forms import ProblemFilterForm
from bangban.projects import selectors as project_selectors
from bangban.reporting import selectors
from bangban.reporting.exports import Table, attr, display, person, register
from bangban.reporting.forms import StatisticsForm
from bangban.supervision import selectors as notice_selectors
from bangban.supervision.forms import NoticeFilterForm
from bangban.visits import selectors as visit_selectors
from bangban.visits.forms import ActivityFilterForm
from bangban.visits.forms import StatisticsForm as QuarterlyStatisticsForm
from bangban.visits.models import ActivityKind

WARNING_LABELS = dict(WarningLevel.choices)


def _yes_no(value):
    return str(_("yes")) if value else str(_("no"))


def _cases(user, params):
    visible = case_selectors.cases_visible_to(user)
    agencies = Agency.objects.filter(pk__in=visible.values("agency_id"))
    form = CaseFilterForm(params or None, agencies=agencies)
    return case_selectors.with_worst_warning(form.filter(visible)).order_by("-created_at", "-pk")


CASE_COLUMNS = [
    (_("case number"), attr("number")),
    (_("project"), attr("project.name")),
    (_("key project"), lambda case: _yes_no(case.project.is_key_project)),
    (_("company"), attr("project.company.name")),
    (_("state"), display("state")),
    (_("warning"), lambda case: str(WARNING_LABELS.get(case.worst_warning, ""))),
    (_("service mode"), display("mode")),
    (_("responsible specialist"), person("specialist")),
    (_("agency"), attr("agency.name")),
]
register(Table("cases", _("Cases"), CASE_COLUMNS, _cases))


def _notices(user, params):
    form = NoticeFilterForm(params or None)
    return notice_selectors.filter_notices(notice_selectors.notices_visible_to(user),
                                           **form.filters())


register(Table("supervision", _("Supervision notices"), [
    (_("notice number"), attr("number")),
    (_("matter"), attr("item.matter.name")),
    (_("case number"), attr("case.number")),
    (_("project"), attr("case.project.name")),
    (_("company"), attr("case.project.company.name")),
    (_("department"), attr("department.name")),
    (_("level"), display("level")),
    (_("state"), display("state")),
    (_("reply due by"), lambda notice: notice.response_due if notice.state == "open" else None),
], _notices))


def _problems(user, params):
    form = ProblemFilterForm(params or None)
    return problem_selectors.filter_problems(problem_selectors.problems_visible_to(user),
                                             today=timezone.localdate(), **form.filters())


register(Table("problems", _("Problems"), [
    (_("problem number"), attr("number")),
    (_("title"), attr("title")),
    (_("case number"), attr("case.number")),
    (_("project"), attr("case.project.name")),
    (_("company"), attr("case.project.company.name")),
    (_("matter"), attr("item.matter.name")),
    (_("department"), attr("department.name")),
    (_("level"), display("level")),
    (_("state"), display("state")),
    (_("due at this level by"), lambda problem: problem.due_on if problem.state == "open"
     else None),
    (_("overdue"), lambda problem: _yes_no(problem.is_overdue)),
], _problems))


def _consultations(user, params):
    if not consultation_selectors.is_consultation_reader(user):
        raise PermissionDenied
    form = ConsultationFilterForm(params or None)
    rows = consultation_selectors.filter_consultations(
        consultation_selectors.consultations_visible_to(user), **form.filters())
    # The phone is masked as on the page: only who may call the asker back sees it whole.
    return _WithViewer(rows, user)


class _WithViewer:
    """A queryset whose records carry `viewer`, for accessors that depend on who exports."""

    def __init__(self, queryset, viewer):
        self.queryset, self.viewer = queryset, viewer

    def count(self):
        return self.queryset.count()

    def iterator(self, chunk_size):
        for record in self.queryset.iterator(chunk_size=chunk_size):
            record.viewer = self.viewer
            yield record


def _phone(consultation):
    if not consultation.asker_phone:
        return ""
    if consultation_selectors.shows_phone(consultation.viewer, consultation):
        return consultation.asker_phone
    return mask_phone(consultation.asker_phone)


register(Table("consultations", _("Consultations"), [
    (_("asked at"), attr("asked_at")),
    (_("channel"), display("channel")),
    (_("asker"), attr("asker_name")),
    (_("phone"), _phone),
    (_("company"), attr("asker_company_label")),
    (_("first inquiry"), lambda consultation: _yes_no(consultation.is_first_inquiry)),
    (_("question"), attr("question")),
    (_("first responder"), person("first_responder")),
    (_("state"), display("state")),
    (_("case number"), attr("case.number")),
], _consultations))


def _activities(user, params):
    if not visit_selectors.is_reader(user):
        raise PermissionDenied
    form = ActivityFilterForm(params or None)
    return visit_selectors.filter_activities(visit_selectors.activities_visible_to(user),
                                             **form.filters())


register(Table("visits", _("Visits and activities"), [
    (_("held on"), attr("held_on")),
    (_("kind"), display("kind")),
    (_("title"), attr("title")),
    (_("agency"), attr("agency.name")),
    (_("participants"), attr("participants_count")),
    (_("companies"), lambda activity: "、".join(c.name for c in activity.companies.all())),
    (_("case"), attr("case.number")),
], _activities))


def _quarterly(user, params):
    agencies = visit_selectors.statistics_agencies(user)
    if not agencies.exists():
        raise PermissionDenied
    period = QuarterlyStatisticsForm(params, agencies=agencies).period()
    if period is None:
        return []
    agency, quarter = period
    table = visit_selectors.quarterly_statistics(agency=agency, quarter=quarter)
    return [*table["rows"], {"agency": None, **table["totals"]}]


def _agency_or_total(row):
    return row["agency"].name if row["agency"] is not None else str(_("Total"))


register(Table("visit_statistics", _("Quarterly interaction statistics"), [
    (_("agency"), _agency_or_total),
    *[column for kind, label in ActivityKind.choices for column in (
        (label, lambda row, kind=kind: row["counts"][kind]),
        (_("%(kind)s: participants") % {"kind": label},
         lambda row, kind=kind: row["participants"][kind]),
    )],
    (_("total"), lambda row: row["total"]),
    (_("total participants"), lambda row: row["total_participants"]),
], _quarterly))


def _evaluations(user, params):
    form = EvaluationFilterForm(params or None)
    return evaluation_selectors.filter_evaluations(
        evaluation_selectors.evaluations_visible_to(user), **form.filters())


def _rated(evaluation):
    if evaluation.item_id:
        return evaluation.item.matter.name
    return str(_("The whole service of the case"))


register(Table("evaluations", _("Ratings"), [
    (_("rated at"), attr("rated_at")),
    (_("rated"), _rated),
    (_("department"), attr("department.name")),
    (_("case number"), attr("case.number")),
    (_("company"), attr("case.project.company.name")),
    (_("specialist"), person("specialist")),
    (_("rating"), display("rating")),
    (_("channel"), display("channel")),
    (_("rectification"), lambda evaluation: attr("rectification")(evaluation)
     and evaluation.rectification.get_state_display()),
], _evaluations))


def _meetings(user, params):
    when = params.get("when")
    return meeting_selectors.split_meetings(meeting_selectors.meetings_visible_to(user),
                                            when if when in ("upcoming", "past") else "upcoming")


register(Table("meetings", _("Meetings"), [
    (_("starts at"), attr("starts_at")),
    (_("ends at"), attr("ends_at")),
    (_("title"), attr("title")),
    (_("kind"), display("kind")),
    (_("project"), attr("subject_name")),
    (_("company"), attr("project.company.name")),
    (_("case number"), attr("case.number")),
    (pgettext_lazy("meeting", "place"),
     lambda meeting: meeting.place or str(_("Video meeting"))),
    (_("state"), display("state")),
], _meetings))


def _key_ledger(user, params):
    if not project_selectors.is_project_staff(user):
        raise PermissionDenied
    return project_selectors.key_project_ledger(user)


def _key_ledger_lines(project):
    project_selectors.with_stages([project])
    return [(project, case) for case in project.ledger_rows]


def _team(project, role):
    team = attr("key_team")(project)
    person_ = getattr(team, role, None) if team else None
    return person_.display_name if person_ is not None else ""


def _stage(case):
    if case is None:
        return ""
    if case.current_stage is not None:
        return case.current_stage.name
    return str(_("All items finished")) if case.items.all() else ""


def _items(case):
    if case is None:
        return ""
    return "；".join(
        " · ".join(filter(None, (item.matter.name, item.get_state_display(),
                                 str(WARNING_LABELS.get(item.warning_level, "")))))
        for item in case.items.all())


register(Table("key_ledger", _("Key-project dynamic ledger"), [
    (_("project"), lambda line: line[0].name),
    (_("company"), lambda line: line[0].company.name),
    (_("agency"), lambda line: line[0].agency.name),
    (_("team specialist"), lambda line: _team(line[0], "specialist")),
    (_("team chief"), lambda line: _team(line[0], "chief")),
    (_("case"), lambda line: line[1].number if line[1] else ""),
    (_("state"), lambda line: line[1].get_state_display() if line[1] else ""),
    (_("current stage"), lambda line: _stage(line[1])),
    (_("items"), lambda line: _items(line[1])),
], _key_ledger, lines=_key_ledger_lines))


def _statistics(user, params):
    agencies = selectors.statistics_agencies(user)
    if not agencies.exists():
        raise PermissionDenied
    period = StatisticsForm(params, agencies=agencies).period()
    if period is None:
        return []
    agency, chosen = period
    table = selectors.statistics_table(agency=agency, period=chosen)
    return [*table["rows"], {"agency": None, **table["totals"]}]


register(Table("statistics", _("Statistics"), [
    (_("agency"), _agency_or_total),
    *[(label, lambda row, key=key: row[key]) for key, label in selectors.FIGURES],
], _statistics))


# The dashboard's drill-down lists (bangban/dashboards): one table per set of figures, the
# figure named in `figure` besides the dashboard's filters.
def _dashboard_rows(set_name):
    def rows(user, params):
        if not dashboard_selectors.is_dashboard_reader(user):
            raise PermissionDenied
        form = DashboardFilterForm(params, user=user)
        if not form.is_valid():
            return []
        try:
            records = dashboard_selectors.figure_rows(user, set_name, params.get("figure", ""),
                                                      form.filters())
        except KeyError:
            raise Http404 from None
        return _WithViewer(records, user) if set_name == "consultations" else records
    return rows


_DASHBOARD_ITEM_COLUMNS = [
    (_("case number"), attr("case.number")),
    (_("matter"), attr("matter.name")),
    (_("department"), attr("department.name")),
    (_("state"), display("state")),
    (_("promised limit"), attr("promised_limit")),
    (_("limit unit"), display("limit_unit")),
    (_("due date"), attr("due_date")),
    (_("warning"), lambda item: str(WARNING_LABELS.get(item.warning_level, ""))),
    (_("decided at"), attr("decided_at")),
    (_("days used"), attr("days_used", None)),
]
DASHBOARD_COLUMNS = {
    "cases": CASE_COLUMNS,
    "items": _DASHBOARD_ITEM_COLUMNS,
    "decided": _DASHBOARD_ITEM_COLUMNS,
    "consultations": [
        (_("asked at"), attr("asked_at")), (_("agency"), attr("agency.name")),
        (_("channel"), display("channel")), (_("asker"), attr("asker_name")),
        (_("phone"), _phone), (_("first responder"), person("first_responder")),
        (_("state"), display("state")),
    ],
    "problems": [
        (_("problem number"), attr("number")), (_("title"), attr("title")),
        (_("case number"), attr("case.number")), (_("department"), attr("department.name")),
        (_("level"), display("level")), (_("state"), display("state")),
        (_("agency"), attr("agency.name")),
    ],
    "ratings": [
        (_("rated at"), attr("rated_at")), (_("case number"), attr("case.number")),
        (_("matter"), attr("item.matter.name")), (_("department"), attr("department.name")),
        (_("specialist"), person("specialist")), (_("rating"), display("rating")),
        (_("agency"), attr("agency.name")),
    ],
}
DASHBOARD_TITLES = {
    "cases": _("Dashboard: cases"), "items": _("Dashboard: items"),
    "decided": _("Dashboard: items decided"), "consultations": _("Dashboard: consultations"),
    "problems": _("Dashboard: problems"), "ratings": _("Dashboard: ratings"),
}
for _set_name, _columns in DASHBOARD_COLUMNS.items():
    register(Table(f"dashboard_{_set_name}", DASHBOARD_TITLES[_set_name], _columns,
                   _dashboard_rows(_set_name)))
