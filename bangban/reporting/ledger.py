"""工作台账 (Qujiang 实施细则 第十七条, 附件3): the work ledger as rows for a spreadsheet.

One row per case (sheet 1) and one per item (sheet 2), in the order the cases were
registered, read with `values_list(…).iterator()` — a server-side cursor on PostgreSQL —
as tuples of plain values: no model objects, so the memory used does not grow with the
ledger. The database does the rest of the work: dates are cut from timestamps in the
agency's time zone and codes are turned into their labels by CASE expressions, so most rows
go from the cursor to the sheet untouched. The item counts of the case rows come from one
query grouped by case, read side by side with the cases (both ordered by case).

Call the row functions inside a transaction: PostgreSQL then streams the rows while they are
written, instead of materialising each result for a cursor held across commits.
"""

import queue
import threading
from itertools import islice

from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, F, IntegerField, Max, Q, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils.translation import gettext_lazy as _

from bangban.cases.models import Case, CaseItem, ServiceMode, ServiceScope
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import LimitUnit
from bangban.deadlines.models import WarningLevel
from bangban.projects.models import Category

CHUNK = 5000
AHEAD = 4  # batches of CHUNK rows read ahead of the sheet


def read_ahead(rows):
    """The rows of a query, read by a second thread while this one writes the previous
    ones: the database computes the next rows meanwhile instead of waiting for the fetch.
    The query runs on this thread (its connection and transaction); the other thread only
    fetches from the cursor that is already open. At most AHEAD batches wait."""
    iterator = iter(rows)
    first = list(islice(iterator, CHUNK))
    yield from first
    if len(first) < CHUNK:
        return
    batches = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def fetch():
        try:
            while not stop.is_set() and (batch := list(islice(iterator, CHUNK))):
                put(batch)
            put(None)
        except BaseException as error:
            put(error)

    thread = threading.Thread(target=fetch, name="ledger-read-ahead", daemon=True)
    thread.start()
    try:
        while (batch := batches.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch
            yield from batch
    finally:
        stop.set()  # a reader that stops early (an error while writing) lets the thread end
        thread.join()


# The most urgent light wins: ranks compared with Max, then turned back into the light.
WARNING_RANKS = {WarningLevel.GREEN: 1, WarningLevel.YELLOW: 2, WarningLevel.RED: 3}
ITEM_STATES = [value for value, _label in ItemState.choices]


def ledger_cases(*, agency=None, date_from=None, date_to=None):
    """The submitted cases of the ledger: of `agency` and the agencies below it, submitted
    from `date_from` to `date_to` (dates in the agency's time zone, both included)."""
    cases = Case.objects.exclude(state=CaseState.DRAFT)
    if agency is not None:
        cases = cases.filter(agency__path__startswith=agency.path)
    if date_from is not None:
        cases = cases.filter(submitted_at__date__gte=date_from)
    if date_to is not None:
        cases = cases.filter(submitted_at__date__lte=date_to)
    return cases


def overdue_condition(prefix=""):
    """An item is overdue while its light is red, or when it was decided after its limit
    (extensions included)."""
    return Q(**{f"{prefix}warning_level": WarningLevel.RED}) | Q(**{
        f"{prefix}days_used__gt": F(f"{prefix}promised_limit") + F(f"{prefix}extended_days"),
    })


def _label(field, choices, default=""):
    """The label of a choice field's code, in the active language, computed by the
    database."""
    return CaseWhen(*[When(**{field: value}, then=Value(str(label)))
                      for value, label in choices],
                    default=Value(default), output_field=CharField())


def _person(prefix):
    return Coalesce(NullIf(f"{prefix}full_name", Value("")), f"{prefix}username")


CASE_HEADERS = [
    _("Case number"), _("Agency"), _("Project"), _("Company"), _("Category"), _("Key project"),
    _("Service mode"), _("Service scope"), _("Specialist"), _("State"), _("Submitted on"),
    _("Accepted on"), _("Plan published on"), _("Target completion"), _("Completed on"),
    _("Items"), *[label for _value, label in ItemState.choices],
    _("Overdue items"), _("Worst warning"),
]


def _item_figures(cases):
    """(case id, items, items per state …, overdue, worst warning rank) per case that has
    items, ordered by case."""
    return (
        CaseItem.objects.filter(case__in=cases.values("pk"))
        .values("case_id")
        .annotate(
            total=Count("pk"),
            **{f"n_{state}": Count("pk", filter=Q(state=state)) for state in ITEM_STATES},
            overdue=Count("pk", filter=overdue_condition()),
            warning_rank=Max(CaseWhen(
                *[When(warning_level=level, then=rank) for level, rank in WARNING_RANKS.items()],
                output_field=IntegerField(),
            )),
        )
        .order_by("case_id")
        .values_list("case_id", "total", *[f"n_{state}" for state in ITEM_STATES], "overdue",
                     "warning_rank")
    )


def case_rows(cases):
    """Tuples in the order of CASE_HEADERS, one per case of `cases`."""
    yes, no = str(_("yes")), str(_("no"))
    rows = (
        cases.annotate(
            category_label=_label("project__category", Category.choices),
            key_label=CaseWhen(When(project__is_key_project=True, then=Value(yes)),
                               default=Value(no), output_field=CharField()),
            mode_label=_label("mode", ServiceMode.choices),
            scope_label=_label("scope", ServiceScope.choices),
            specialist_name=_person("specialist__"),
            state_label=_label("state", CaseState.choices),
            submitted_on=TruncDate("submitted_at"), decided_on=TruncDate("decided_at"),
            published_on=TruncDate("plan_published_at"), completed_on=TruncDate("completed_at"),
        )
        .order_by("pk")
        .values_list(
            "pk", "number", "agency__name", "project__name", "project__company__name",
            "category_label", "key_label", "mode_label", "scope_label", "specialist_name",
            "state_label", "submitted_on", "decided_on", "published_on",
            "target_completion_date", "completed_on",
        )
    )
    warning_label = {rank: str(WarningLevel(level).label)
                     for level, rank in WARNING_RANKS.items()}
    no_items = (0,) * (len(ITEM_STATES) + 2)
    figures = read_ahead(_item_figures(cases).iterator(chunk_size=CHUNK))
    pending = next(figures, None)
    for row in read_ahead(rows.iterator(chunk_size=CHUNK)):
        case_id = row[0]
        while pending is not None and pending[0] < case_id:
            pending = next(figures, None)
        if pending is not None and pending[0] == case_id:
            yield (*row[1:], *pending[1:-1], warning_label.get(pending[-1], ""))
        else:
            yield (*row[1:], *no_items, "")


ITEM_HEADERS = [
    _("Case number"), _("Matter"), _("Department"), _("State"), _("Promised limit"),
    _("Limit unit"), _("Extended by (days)"), _("Pushed on"), _("Accepted on"), _("Decided on"),
    _("Due date"), _("Days used"), _("Warning"), _("Result document number"),
]


def item_rows(cases):
    """Tuples in the order of ITEM_HEADERS, one per item of `cases`, in the order of the
    cases' rows."""
    return read_ahead(
        CaseItem.objects.filter(case__in=cases.values("pk"))
        .annotate(state_label=_label("state", ItemState.choices),
                  unit_label=_label("limit_unit", LimitUnit.choices),
                  warning_label=_label("warning_level", WarningLevel.choices),
                  pushed_on=TruncDate("pushed_at"), accepted_on=TruncDate("accepted_at"),
                  decided_on=TruncDate("decided_at"))
        .order_by("case_id", "position", "pk")
        .values_list(
            "case__number", "matter__name", "department__name", "state_label",
            "promised_limit", "unit_label", "extended_days", "pushed_on", "accepted_on",
            "decided_on", "due_date", "days_used", "warning_label", "result_number",
        )
        .iterator(chunk_size=CHUNK)
    )
