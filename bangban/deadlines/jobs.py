"""The warning-light scan (SPEC §5): a worker job listed in `BANGBAN_WORKER_JOBS`.

Each running item stores the day its light may next change (`CaseItem.warning_next_check`,
indexed); the scan selects the rows whose day has come, reads their clocks and writes the new
columns with a conditional UPDATE on the values it read. Only the worker whose UPDATE matched
records the change (a ledger entry by the system user and the notifications, in the same
transaction), so two workers never announce one change twice, and a service that changed the
item meanwhile (a supplement, an extension) wins. Running it again changes nothing: the new
next check lies after today, or is empty.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangban.core.worker import stop_requested
from bangban.deadlines import item_clock
from bangban.deadlines.selectors import current_calendars

BATCH = 200


def running_items():
    from bangban.cases.models import CaseItem

    return (
        CaseItem.objects.filter(state__in=item_clock.RUNNING_STATES, accepted_at__isnull=False)
        .select_related("case__agency", "case__specialist", "case__project__company",
                        "matter", "department__agency")
        .prefetch_related("pauses")
    )


def rescan_item(item, *, today, calendars, policies):
    """Brings one item's stored clock up to date; returns 1 when this call changed the row."""
    from bangban.cases.models import CaseItem
    from bangban.cases.services import record_warning_change

    old_level, old_check, old_due = item.warning_level, item.warning_next_check, item.due_date
    _reading, columns = item_clock.clock_columns(item, today=today, calendars=calendars,
                                                 policies=policies)
    if (columns["warning_level"], columns["warning_next_check"], columns.get("due_date")) == (
            old_level, old_check, old_due):
        return 0
    with transaction.atomic():
        claimed = CaseItem.objects.filter(
            pk=item.pk, warning_level=old_level, warning_next_check=old_check, due_date=old_due,
        ).update(**columns)
        if not claimed:
            return 0  # another worker or a service changed the item first
        new_level = columns["warning_level"]
        if new_level != old_level and (old_level or new_level != "green"):
            record_warning_change(item=item, old_level=old_level, new_level=new_level,
                                  due_date=columns.get("due_date"))
    return 1


def scan_warning_levels(today=None, *, everything=False, batch=BATCH):
    """Re-reads the clocks whose next check has come (with `everything`, every running clock)
    and records each change of light; returns how many items it changed."""
    today = today or timezone.localdate()
    items = running_items().order_by("warning_next_check", "pk")
    if not everything:
        items = items.filter(warning_next_check__lte=today)[:batch]
    calendars, policies = current_calendars(), item_clock.all_policies()
    handled = 0
    for item in items:
        if stop_requested():
            break
        handled += rescan_item(item, today=today, calendars=calendars, policies=policies)
    return handled


def recompute_items(*, years, agency=None, today=None):
    """After a change of the calendar (in its transaction): the open clocks whose window
    touches `years` (of `agency` and below, or all) are read again; returns how many changed."""
    years = sorted(set(years))
    if not years:
        return 0
    today = today or timezone.localdate()
    first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31)
    items = running_items().filter(accepted_at__date__lte=last)
    if today < first:  # an open clock's window reaches at least today
        items = items.filter(Q(due_date__gte=first) | Q(due_date__isnull=True))
    if agency is not None:
        items = items.filter(department__agency__path__startswith=agency.path)
    calendars, policies = current_calendars(), item_clock.all_policies()
    return sum(
        rescan_item(item, today=today, calendars=calendars, policies=policies)
        for item in items.order_by("pk")
    )
