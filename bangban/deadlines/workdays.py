"""Working-day arithmetic on the calendar in force (行政许可法 §82).

Counting starts the working day after the start date. The calendar is the one stored in the
database (seeded from the chinese_calendar package, extended by administrators; see
selectors.py); beyond its published years, Monday to Friday are working days and results are
provisional (`due_after` / `count_between` say so).

Each call reads the calendar's revision token (one small query). Code that asks many
questions at once should take `current_calendar()` once and ask it directly.
"""

import datetime

from bangban.deadlines.selectors import current_calendar
from bangban.deadlines.working_calendar import DueDate, WorkingDayCount

ONE_DAY = datetime.timedelta(days=1)


def is_working_day(day: datetime.date, *, agency=None) -> bool:
    return current_calendar(agency).is_working_day(day)


def add_working_days(start: datetime.date, count: int, *, agency=None) -> datetime.date:
    """The `count`-th working day after `start`; `start` itself for 0."""
    return current_calendar(agency).add_working_days(start, count)


def next_working_day(day: datetime.date, *, agency=None) -> datetime.date:
    return add_working_days(day, 1, agency=agency)


def working_days_between(start: datetime.date, end: datetime.date, *, agency=None) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after it)."""
    return current_calendar(agency).working_days_between(start, end)


def due_after(start: datetime.date, count: int, *, agency=None) -> DueDate:
    """`add_working_days` with a flag saying whether it counted days of unpublished years."""
    return current_calendar(agency).due(start, count)


def count_between(start: datetime.date, end: datetime.date, *, agency=None) -> WorkingDayCount:
    """`working_days_between` with the same provisional flag."""
    return current_calendar(agency).count_between(start, end)
