"""Reads for the company portal's pages and the workbench's tables."""

from django.db.models import Q
from django.utils import timezone

from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import FINISHED_ITEM_STATES, CaseState, ItemState
from bangban.core.tables import choice_labels, pk_url, table_day

# The workbench's own tables read only the columns they show, as values: model instances with
# their related rows, and the template's lookups through them, cost more than the query.
ITEM_ROW_FIELDS = (
    "pk", "case_id", "matter__name", "case__number", "case__project__name",
    "case__project__company__name", "department__name", "state", "planned_end", "due_date",
    "warning_level", "clock_paused",
)


def item_rows(items):
    """The rows of portal/partials/_item_table.html for `items` (a page of a selector's items
    with `clock_paused`), in one query."""
    case_url = pk_url("cases:detail")
    labels = choice_labels(ItemState)
    return [
        {
            "pk": pk, "url": f"{case_url(case_id)}#item-{pk}", "matter": matter,
            "case_number": number, "project": project, "company": company,
            "department": department, "state": state, "state_label": labels.get(state, state),
            "planned_end": table_day(planned_end), "due_date": table_day(due_date, none=""),
            "warning_level": level, "clock_paused": paused,
        }
        for (pk, case_id, matter, number, project, company, department, state, planned_end,
             due_date, level, paused) in items.values_list(*ITEM_ROW_FIELDS)
    ]


SPECIALIST_CASE_ROW_FIELDS = (
    "pk", "number", "project__name", "project__company__name", "state", "worst_warning",
    "open_items", "target_completion_date",
)


def specialist_case_rows(cases):
    """The rows of the specialist's table of cases (portal/partials/_specialist.html) for
    `cases` (a page of cases_of_specialist), in one query."""
    case_url = pk_url("cases:detail")
    labels = choice_labels(CaseState)
    return [
        {
            "pk": pk, "url": case_url(pk), "number": number, "project": project,
            "company": company, "state": state, "state_label": labels.get(state, state),
            "worst_warning": worst, "open_items": open_items,
            "target_completion_date": table_day(target),
        }
        for (pk, number, project, company, state, worst, open_items, target)
        in cases.values_list(*SPECIALIST_CASE_ROW_FIELDS)
    ]


def actual_dates(case):
    """{item pk: (started, ended)}: the day each item left the plan (work on it began) and the
    day it reached a final state, read from the case's ledger in one query."""
    entries = (
        LedgerEntry.objects.filter(case=case, item__isnull=False)
        .filter(
            Q(from_state=ItemState.PLANNED) & ~Q(to_state__in=["", ItemState.PLANNED])
            | Q(to_state__in=FINISHED_ITEM_STATES)
        )
        .order_by("at", "pk")
        .values_list("item_id", "at", "to_state")
    )
    dates = {}
    for item_id, at, to_state in entries:
        started, ended = dates.get(item_id, (None, None))
        day = timezone.localdate(at)
        started = started or day
        if to_state in FINISHED_ITEM_STATES:
            ended = day
        dates[item_id] = (started, ended)
    return dates
