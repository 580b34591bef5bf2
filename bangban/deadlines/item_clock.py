"""An item's clock read from its rows: the glue between `CaseItem` / `ClockPause` and the pure
arithmetic of clock.py, and the stored columns that come out of it.

The stored contract on `CaseItem` (read by lists, supervision and the scan):
- `due_date`: while the clock runs, the day the limit (plus any extension) runs out; while a
  pause is open, the day it would run out were the clock to run again the next day (it is
  recomputed when the pause closes); after the decision, the due date in force at the decision.
- `warning_level`: green / yellow / red while the clock exists; blank before acceptance and
  after the decision (the days used are kept in `days_used`).
- `warning_next_check`: the first day the level may change by time alone; empty while paused,
  once red, and after the decision. The scan (jobs.py) selects rows whose day has come.

The calendar is the one of the deciding department's agency (its local days off); the warning
window is the case's agency's (the service centre that watches the item), see `policy_for`.
"""

from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from bangban.deadlines import clock
from bangban.deadlines.models import WarningPolicy
from bangban.deadlines.selectors import current_calendars

RUNNING_STATES = ("accepted", "supplement_requested")  # ItemState values with a running clock
FINISHED_STATES = ("approved", "refused", "withdrawn")


def local_date(moment):
    return timezone.localdate(moment) if moment is not None else None


def pauses_of(item, rows=None):
    """The item's pauses for clock.py, from its ClockPause `rows` when given, else from
    `item.pauses` (a prefetched one when there is one)."""
    return [
        clock.Pause(local_date(p.started_at), local_date(p.ended_at), p.cause, p.attributed_to,
                    p.get_kind_display() if p.kind else "")
        for p in (item.pauses.all() if rows is None else rows)
    ]


def has_clock(item):
    return item.accepted_at is not None and item.state in RUNNING_STATES


def read_item_clock(item, *, today=None, calendars=None, pauses=None):
    """The item's ClockReading on `today`, or None when it has no clock (not accepted yet).
    A decided item's clock reads at its decision."""
    if item.accepted_at is None:
        return None
    if item.state in FINISHED_STATES and item.decided_at is None:
        return None  # withdrawn: the days used are in `days_used`
    return _read(item, today=today, calendars=calendars, pauses=pauses)


def _read(item, *, today=None, calendars=None, pauses=None):
    today = today or timezone.localdate()
    if item.decided_at is not None:
        today = min(today, local_date(item.decided_at))
    calendars = calendars or current_calendars()
    agency = item.department.agency if item.department_id else None
    return clock.read_clock(
        started_on=local_date(item.accepted_at), limit=item.promised_limit,
        unit=item.limit_unit, extension=item.extended_days,
        calendar=calendars.calendar(agency), names=calendars.names(agency), today=today,
        pauses=pauses_of(item) if pauses is None else pauses,
    )


# ------------------------------------------------------------------------------ policies


def default_policy():
    defaults = getattr(settings, "BANGBAN_WARNING_DEFAULTS", {})
    return clock.Policy(int(defaults.get("days_left", 2)), int(defaults.get("percent_used", 80)))


def all_policies():
    """{agency path: Policy} of every agency with its own policy (one query)."""
    return {
        path: clock.Policy(days_left, percent_used)
        for path, days_left, percent_used in WarningPolicy.objects.values_list(
            "agency__path", "days_left", "percent_used"
        )
    }


def policy_for(agency, policies=None):
    """The warning window of `agency`: its own, else its nearest parent's, else the default."""
    policies = all_policies() if policies is None else policies
    path = agency.path or f"/{agency.pk}/"
    while path and path != "/":
        if path in policies:
            return policies[path]
        path = path[: path[:-1].rfind("/") + 1]
    return default_policy()


# ------------------------------------------------------------------------------ stored columns


def clock_columns(item, *, today=None, calendars=None, policies=None, running=None):
    """(reading, {due_date, warning_level, warning_next_check}) for the item as it is now
    (`running`: whether its clock runs, when its state is about to change)."""
    today = today or timezone.localdate()
    if not (has_clock(item) if running is None else running and item.accepted_at):
        return None, {"warning_level": "", "warning_next_check": None}
    calendars = calendars or current_calendars()
    pauses = pauses_of(item)
    reading = read_item_clock(item, today=today, calendars=calendars, pauses=pauses)
    policy = policy_for(item.case.agency, policies)
    agency = item.department.agency if item.department_id else None
    return reading, {
        "due_date": reading.due_date,
        "warning_level": clock.warning_level(reading, policy),
        "warning_next_check": clock.next_check(
            reading, policy, calendar=calendars.calendar(agency), pauses=pauses
        ),
    }


def refresh_clock(item, *, today=None, running=None):
    """Sets the item's clock columns from its rows (the caller saves); returns the reading."""
    reading, columns = clock_columns(item, today=today, running=running)
    for name, value in columns.items():
        setattr(item, name, value)
    return reading


def stop_clock(item, *, today=None):
    """At the decision (or withdrawal): keeps the due date in force and the days used, clears
    the warning level. The caller closes open pauses first and saves."""
    reading = None
    if item.accepted_at is not None:
        reading = _read(item, today=today)
        item.due_date = reading.due_date
        item.days_used = reading.used
    item.warning_level = ""
    item.warning_next_check = None
    return reading


# ------------------------------------------------------------------------------ extension

# 行政许可法 §42: a decision due in 20 (working) days may be extended by 10 with the approval of
# the organ's head; a joint or centralised handling due in 45 may be extended by 15.
STATUTORY_EXTENSION = 10
JOINT_HANDLING_LIMIT, JOINT_HANDLING_EXTENSION = 45, 15


class Allowance(NamedTuple):
    days: int
    why: str


def extension_allowance(item):
    """How many days the item's limit may be extended by, and the legal reason.

    The extension counts working days (§42) and the item's limit plus the extension may not
    exceed the matter's legal limit plus the statutory extension: a 20-day matter's promised
    5 days may be extended by 10, not by 25. A limit counted in calendar days (日) comes from a
    law of its own (e.g. 环评法) that provides no such extension.
    """
    matter = item.matter
    if item.limit_unit != clock.WORKING_DAY:
        return Allowance(0, gettext(
            "This matter's limit is counted in calendar days under a law of its own; "
            "行政许可法 §42's extension does not apply."))
    legal = matter.legal_limit if matter.legal_limit_unit == clock.WORKING_DAY else None
    statutory = (JOINT_HANDLING_EXTENSION if (legal or 0) >= JOINT_HANDLING_LIMIT
                 else STATUTORY_EXTENSION)
    if legal is None:
        return Allowance(statutory, gettext(
            "行政许可法 §42 allows an extension of %(days)d working days.")
            % {"days": statutory})
    days = max(min(statutory, legal + statutory - item.promised_limit), 0)
    return Allowance(days, gettext(
        "行政许可法 §42 allows %(extension)d working days beyond the legal limit of %(legal)d "
        "working days.") % {"extension": statutory, "legal": legal})
