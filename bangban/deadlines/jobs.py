"""The warning-light scan (SPEC §5): a worker job listed in `BANGBAN_WORKER_JOBS`.

Each running item stores its due date and the day its light may next change by time alone
(`CaseItem.warning_next_check`, indexed; empty while paused and once red — item_clock.py). By
that contract, when the day has come a green light turns yellow, or red once the due date has
passed, and a yellow one turns red: the daily scan needs no clock arithmetic, so it is one
set-based UPDATE of every item whose check has come (`scan_warning_levels`), however many
there are. The UPDATE is the claim: a row a service holds is waited for and its conditions read
again at its latest version, so two workers never change (or announce) one light twice and a
service's change (a supplement, an extension) wins. The messages — one per person and scan —
are written in the same transaction.

A light is a reading of the clock, not a service action: the case's ledger records the
actions that move a clock (acceptance, supplement, extension …) and the supervision notices an
overdue item brings; the messages record who was warned when.

Reading the clocks again from their rows (`rescan_items`) is for changes that move due dates or
thresholds: a calendar import (`recompute_items`) or a warning policy (`scan_warnings --all`).
"""

import datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from bangban.core.worker import stop_requested
from bangban.deadlines import item_clock
from bangban.deadlines.selectors import current_calendars


class WarningChange(NamedTuple):
    """One item's light changed by a scan, with what the ledger and the messages need."""

    item_id: int
    case_id: int
    case_number: str
    specialist_id: int | None
    department_id: int | None
    matter_name: str
    state: str
    new_level: str
    due_date: datetime.date | None


def running_items():
    from bangban.cases.models import CaseItem

    return (
        CaseItem.objects.filter(state__in=item_clock.RUNNING_STATES, accepted_at__isnull=False)
        .select_related("case__agency", "case__specialist", "case__project__company",
                        "matter", "department__agency")
        .prefetch_related("pauses")
    )


# ------------------------------------------------------------------------------ by time alone

# The light an item whose check has come turns to, and its next check; only rows whose light
# changes are selected.
_SET = """
    warning_level = CASE WHEN due_date < %(today)s THEN 'red' ELSE 'yellow' END,
    warning_next_check = CASE WHEN due_date < %(today)s THEN NULL ELSE {next_day} END"""
_DUE = """
    {t}warning_next_check <= %(today)s AND {t}state IN ({running})
    AND {t}accepted_at IS NOT NULL
    AND ({t}warning_level = 'green' OR ({t}warning_level = 'yellow' AND {t}due_date < %(today)s))"""

_ADVANCE_POSTGRESQL = """
UPDATE cases_caseitem AS i SET {set}
FROM cases_case AS c, catalog_matter AS m
WHERE {due} AND c.id = i.case_id AND m.id = i.matter_id
RETURNING i.id, i.case_id, c.number, c.specialist_id, i.department_id, m.name, i.state,
          i.warning_level, i.due_date
"""

# SQLite's RETURNING sees only the updated table: the names are read next.
_ADVANCE_SQLITE = """
UPDATE cases_caseitem SET {set} WHERE {due}
RETURNING id, case_id, department_id, matter_id, state, warning_level, due_date
"""


def scan_warning_levels(today=None):
    """Turns every running light whose next check has come: green → yellow (or red when the due
    date has already passed), yellow → red, and tells the people concerned. Returns how many
    lights changed."""
    from bangban.cases.services import announce_warning_changes

    today = today or timezone.localdate()
    if stop_requested():
        return 0
    running = ", ".join(f"'{state}'" for state in item_clock.RUNNING_STATES)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_ADVANCE_POSTGRESQL.format(
                set=_SET.format(next_day="due_date + 1"),
                due=_DUE.format(t="i.", running=running),
            ), {"today": today})
            rows = cursor.fetchall()
        else:
            cursor.execute(_ADVANCE_SQLITE.format(
                set=_SET.format(next_day="date(due_date, '+1 day')"),
                due=_DUE.format(t="", running=running),
            ), {"today": today.isoformat()})
            rows = _with_names(cursor.fetchall())
        changes = [WarningChange(*row[:-1], _date(row[-1])) for row in rows]
        announce_warning_changes(changes)
    return len(changes)


def _with_names(rows):
    from bangban.cases.models import Case
    from bangban.catalog.models import Matter

    cases = {pk: (number, specialist) for pk, number, specialist in Case.objects.filter(
        pk__in={row[1] for row in rows}).values_list("pk", "number", "specialist_id")}
    matters = dict(Matter.objects.filter(pk__in={row[3] for row in rows})
                   .values_list("pk", "name"))
    return [(item_id, case_id, *cases[case_id], department_id, matters[matter_id], state, level,
             due_date)
            for item_id, case_id, department_id, matter_id, state, level, due_date in rows]


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# ------------------------------------------------------------------------------ from the rows


def rescan_item(item, *, today, calendars, policies):
    """Brings one item's stored clock up to date with a conditional update. Returns (whether
    this call updated the row, its WarningChange when the light changed); nothing is updated
    when another worker or a service changed the row first."""
    from bangban.cases.models import CaseItem

    old_level, old_check, old_due = item.warning_level, item.warning_next_check, item.due_date
    _reading, columns = item_clock.clock_columns(item, today=today, calendars=calendars,
                                                 policies=policies)
    if (columns["warning_level"], columns["warning_next_check"], columns.get("due_date")) == (
            old_level, old_check, old_due):
        return False, None
    claimed = CaseItem.objects.filter(
        pk=item.pk, warning_level=old_level, warning_next_check=old_check, due_date=old_due,
    ).update(**columns)
    new_level = columns["warning_level"]
    # The first reading of a clock (no light yet) is no change worth a message.
    if not claimed or new_level == old_level or (not old_level and new_level == "green"):
        return bool(claimed), None
    case = item.case
    return True, WarningChange(item.pk, case.pk, case.number, case.specialist_id,
                               item.department_id, item.matter.name, item.state, new_level,
                               columns.get("due_date"))


def rescan_items(items, *, today=None):
    """Reads each item's clock from its rows, stores what changed and announces the changes
    of light, in one transaction; returns how many items it updated."""
    from bangban.cases.services import announce_warning_changes

    today = today or timezone.localdate()
    calendars, policies = current_calendars(), item_clock.all_policies()
    updated, changes = 0, []
    with transaction.atomic():
        for item in items:
            claimed, change = rescan_item(item, today=today, calendars=calendars,
                                          policies=policies)
            updated += claimed
            if change is not None:
                changes.append(change)
        announce_warning_changes(changes)
    return updated


def rescan_all(today=None):
    """Every running clock read again: after a change of warning policy."""
    return rescan_items(running_items().order_by("pk"), today=today)


def recompute_items(*, years, agency=None, today=None):
    """After a change of the calendar (in its transaction): the open clocks whose window
    touches `years` (of `agency` and below, or all) are read again; returns how many items
    changed."""
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
    return rescan_items(items.order_by("pk"), today=today)
