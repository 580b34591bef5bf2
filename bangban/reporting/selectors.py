"""统计表 (Qujiang 实施细则 附件4; Guangzhou 三(四)): the figures of an agency and of each
agency below it for a month, a quarter or a year, in a fixed number of aggregate queries.

Events are counted from the case ledger (an application received is a `submit` entry, an
item pushed a `push` entry …), so a figure counts what happened in the period whatever
happened to the case afterwards. Each row holds the agency's own figures; the totals add the
rows up.
"""

from collections import defaultdict

from django.db.models import Case as CaseWhen
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from bangban.accounts.agency_tree import agencies_under
from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import memberships_of
from bangban.cases.models import Case, CaseItem, LedgerEntry
from bangban.cases.workflow import CaseState
from bangban.catalog.models import LimitUnit
from bangban.consultations.models import Consultation
from bangban.evaluations.models import Evaluation
from bangban.evaluations.workflow import BAD_RATINGS
from bangban.problems.models import Problem
from bangban.problems.workflow import ProblemState
from bangban.projects.models import Project
from bangban.reporting.ledger import overdue_condition
from bangban.visits.models import Activity

# Who reads the statistics table: the chief specialists and supervisors of an agency (and the
# administrators) see it for their agency and every agency below it.
READER_ROLES = frozenset({Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.ADMINISTRATOR})

# (key, column header) in the order of the table; figures counted from the ledger name their
# action in EVENTS.
FIGURES = [
    ("received", _("Applications received")),
    ("accepted", _("Cases accepted")),
    ("rejected", _("Applications rejected")),
    ("completed", _("Cases completed")),
    ("terminated", _("Cases terminated")),
    ("in_progress", _("In progress at the end")),
    ("pushed", _("Items pushed")),
    ("items_accepted", _("Items accepted")),
    ("approved", _("Items approved")),
    ("refused", _("Items refused")),
    ("overdue", _("Overdue items")),
    ("avg_used", _("Average working days used")),
    ("avg_promised", _("Average working days promised")),
    ("consultations", _("Consultations")),
    ("problems_raised", _("Problems raised")),
    ("problems_solved", _("Problems solved")),
    ("visits", _("Visits and activities")),
    ("ratings", _("Ratings")),
    ("satisfaction", _("Satisfaction rate (%)")),
    ("key_projects", _("Key projects")),
]
CASE_EVENTS = {"submit": "received", "accept": "accepted", "reject": "rejected",
               "confirm_completion": "completed", "terminate": "terminated"}
ITEM_EVENTS = {"push": "pushed", "accept": "items_accepted", "approve": "approved",
               "refuse": "refused"}
# Sums kept per row so that averages and rates of the totals are weighted, not averaged.
_SUMS = ("decided", "used_sum", "promised_sum", "ratings", "satisfied")


def _reader_paths(user):
    return sorted({m.agency.path for m in memberships_of(user) if m.role in READER_ROLES})


def statistics_agencies(user):
    """The agencies whose statistics `user` may read, in tree order."""
    return agencies_under(_reader_paths(user))


def _by_agency(queryset, field, **aggregates):
    return {row.pop(field): row for row in queryset.values(field).annotate(**aggregates)}


def statistics_table(*, agency, period):
    """{"rows": [{"agency", "depth", figure…}], "totals": {figure…}} for `agency` and the
    agencies below it (tree order) over `period` (periods.Period). Nine queries."""
    agencies = list(Agency.objects.filter(path__startswith=agency.path).order_by("path"))
    start, end = period.moments()
    first, last = period.first_day, period.last_day
    figures = defaultdict(lambda: defaultdict(int))

    events = (
        LedgerEntry.objects.filter(
            case__agency__path__startswith=agency.path, at__gte=start, at__lt=end,
            action__in=set(CASE_EVENTS) | set(ITEM_EVENTS))
        .annotate(on_item=CaseWhen(When(item__isnull=True, then=Value(False)),
                                   default=Value(True)))
        .values("case__agency_id", "action", "on_item")
        .annotate(cases=Count("case_id", distinct=True), items=Count("item_id", distinct=True))
    )
    for row in events:
        names = ITEM_EVENTS if row["on_item"] else CASE_EVENTS
        if row["action"] in names:
            figures[row["case__agency_id"]][names[row["action"]]] += (
                row["items"] if row["on_item"] else row["cases"])

    terminated_before_end = LedgerEntry.objects.filter(
        case=OuterRef("pk"), action="terminate", item__isnull=True, at__lt=end)
    running = (
        Case.objects.filter(agency__path__startswith=agency.path, decided_at__lt=end)
        .exclude(state__in=[CaseState.DRAFT, CaseState.SUBMITTED, CaseState.REJECTED])
        .exclude(completed_at__lt=end).exclude(Exists(terminated_before_end))
    )
    for agency_id, row in _by_agency(running, "agency_id", n=Count("pk")).items():
        figures[agency_id]["in_progress"] = row["n"]

    decided = Q(decided_at__gte=start, decided_at__lt=end, days_used__isnull=False,
                limit_unit=LimitUnit.WORKING_DAY)
    due_in_period = Q(due_date__range=(first, last))
    items = CaseItem.objects.filter(case__agency__path__startswith=agency.path).filter(
        decided | due_in_period)
    for agency_id, row in _by_agency(
        items, "case__agency_id",
        overdue=Count("pk", filter=due_in_period & overdue_condition()),
        decided=Count("pk", filter=decided),
        used_sum=Sum("days_used", filter=decided),
        promised_sum=Sum(F("promised_limit") + F("extended_days"), filter=decided),
    ).items():
        for key, value in row.items():
            figures[agency_id][key] = value or 0

    counts = [
        ("consultations", Consultation.objects.filter(asked_at__gte=start, asked_at__lt=end)),
        ("visits", Activity.objects.filter(held_on__range=(first, last))),
        ("key_projects", Project.objects.filter(is_key_project=True, created_at__lt=end)),
    ]
    for key, queryset in counts:
        queryset = queryset.filter(agency__path__startswith=agency.path)
        for agency_id, row in _by_agency(queryset, "agency_id", n=Count("pk")).items():
            figures[agency_id][key] = row["n"]

    problems = Problem.objects.filter(agency__path__startswith=agency.path).filter(
        Q(raised_at__gte=start, raised_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end))
    for agency_id, row in _by_agency(
        problems, "agency_id",
        problems_raised=Count("pk", filter=Q(raised_at__gte=start, raised_at__lt=end)),
        problems_solved=Count("pk", filter=Q(state=ProblemState.CLOSED, closed_at__gte=start,
                                             closed_at__lt=end)),
    ).items():
        figures[agency_id].update(row)

    ratings = Evaluation.objects.filter(agency__path__startswith=agency.path,
                                        rated_at__gte=start, rated_at__lt=end)
    for agency_id, row in _by_agency(
        ratings, "agency_id", ratings=Count("pk"),
        satisfied=Count("pk", filter=~Q(rating__in=BAD_RATINGS)),
    ).items():
        figures[agency_id].update(row)

    rows = [{"agency": a, "depth": a.path.count("/") - agency.path.count("/"),
             **_line(figures[a.pk])} for a in agencies]
    totals = defaultdict(int)
    for a in agencies:
        for key, value in figures[a.pk].items():
            totals[key] += value
    return {"rows": rows, "totals": _line(totals)}


def _line(raw):
    """The figures of FIGURES from the raw counts and sums of one row (or the totals)."""
    line = {key: raw.get(key, 0) for key, _label in FIGURES}
    line.update({key: raw.get(key, 0) for key in _SUMS})
    line["avg_used"] = round(raw["used_sum"] / raw["decided"], 1) if raw.get("decided") else None
    line["avg_promised"] = (round(raw["promised_sum"] / raw["decided"], 1)
                            if raw.get("decided") else None)
    line["satisfaction"] = (round(100 * raw["satisfied"] / raw["ratings"], 1)
                            if raw.get("ratings") else None)
    return line
