"""Reads for the company portal's pages."""

from django.db.models import Q
from django.utils import timezone

from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import FINISHED_ITEM_STATES, ItemState


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
