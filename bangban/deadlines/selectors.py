"""The calendar in force, read from the database once per process and rebuilt when it changes.

`current_calendar(agency)` reads one row (`CalendarRevision.token`) and rebuilds the in-memory
`WorkingCalendar` only when the token differs from the one it was built at, so a change made
by any process (the admin, an import, `workdays seed`) is seen by every other process on its
next use.

While the database holds no calendar at all (no published year, no national day; e.g. a fresh
test database or a deployment where `workdays seed` has not run yet) the national calendar is
the chinese_calendar package's own schedule, so deadlines are never silently counted as plain
weekdays for years the package knows.
"""

import datetime
import threading
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.deadlines.models import CalendarDay, CalendarRevision, DayKind, PublishedYear
from bangban.deadlines.working_calendar import (
    WorkingCalendar,
    calendar_from_package,
    package_days,
)

# From this day of the year on, a missing schedule for next year is worth a warning: the State
# Council publishes it in the autumn (usually November).
NEXT_YEAR_WARNING_FROM = (10, 1)


@cache
def package_calendar() -> WorkingCalendar:
    return calendar_from_package()


@cache
def package_names() -> dict:
    return {day.date: day.name for day in package_days()}


@dataclass
class _Loaded:
    token: object
    national: WorkingCalendar
    from_database: bool
    local: dict  # agency pk → {date: is working}
    by_path: dict = field(default_factory=dict)  # agency path → WorkingCalendar
    national_names: dict = field(default_factory=dict)  # date → 春节 …
    local_names: dict = field(default_factory=dict)  # agency pk → {date: name}
    names_by_path: dict = field(default_factory=dict)

    def calendar(self, agency=None):
        return self.national if agency is None else self.for_agency(agency)

    def names(self, agency=None):
        """{date: name} of the days off and make-up days in force for `agency`."""
        if agency is None:
            return self.national_names
        path = agency.path or f"/{agency.pk}/"
        names = self.names_by_path.get(path)
        if names is None:
            names = dict(self.national_names)
            for pk in (int(part) for part in path.strip("/").split("/") if part):
                names.update(self.local_names.get(pk, {}))
            self.names_by_path[path] = names
        return names

    def for_agency(self, agency):
        path = agency.path or f"/{agency.pk}/"
        calendar = self.by_path.get(path)
        if calendar is None:
            days = {}
            for pk in (int(part) for part in path.strip("/").split("/") if part):
                days.update(self.local.get(pk, {}))  # nearer agencies override farther ones
            calendar = self.national.with_local_days(days)
            self.by_path[path] = calendar
        return calendar


_loaded = None
_lock = threading.Lock()


def _current_token():
    # Plain SQL: asked on every use, and the ORM's query building costs several times the
    # query itself (the token is only compared, so its raw form from the driver will do).
    table = connection.ops.quote_name(CalendarRevision._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = %s", [1])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def _load(token):
    years = list(PublishedYear.objects.values_list("year", flat=True))
    national, local, national_names, local_names = {}, {}, {}, {}
    rows = CalendarDay.objects.values_list("agency_id", "date", "kind", "name")
    for agency_id, day, kind, name in rows.iterator(chunk_size=2000):
        target = national if agency_id is None else local.setdefault(agency_id, {})
        target[day] = kind == DayKind.WORKDAY
        names = national_names if agency_id is None else local_names.setdefault(agency_id, {})
        names[day] = name
    if years or national:
        return _Loaded(token, WorkingCalendar(national, years), True, local,
                       national_names=national_names, local_names=local_names)
    return _Loaded(token, package_calendar(), False, local,
                   national_names=package_names(), local_names=local_names)


def _state():
    global _loaded
    token = _current_token()
    loaded = _loaded
    if loaded is None or loaded.token != token:
        with _lock:
            loaded = _load(token)
            _loaded = loaded
    return loaded


def current_calendar(agency=None) -> WorkingCalendar:
    """The working-day calendar in force (nationally, or for `agency` with its local days)."""
    loaded = _state()
    if agency is None:
        return loaded.national
    return loaded.for_agency(agency)


def current_calendars():
    """The calendars in force for several questions at once (a page of items, a scan): one
    query for the revision token; `.calendar(agency)` and `.names(agency)` then cost none."""
    return _state()


def calendar_is_seeded() -> bool:
    """Whether the database holds the calendar (else the chinese_calendar package stands in)."""
    return _state().from_database


def schedule_warnings(today: datetime.date | None = None) -> list[str]:
    """What an administrator must be told about missing schedules on `today` (default: today)."""
    today = today or timezone.localdate()
    published = current_calendar().published_years
    warnings = []
    if today.year not in published:
        warnings.append(
            _("The working-day schedule for %(year)s is missing: deadlines count Monday to "
              "Friday as working days and are provisional. Import the State Council's "
              "schedule for %(year)s.") % {"year": today.year}
        )
    next_year = today.year + 1
    if (today.month, today.day) >= NEXT_YEAR_WARNING_FROM and next_year not in published:
        warnings.append(
            _("The working-day schedule for %(year)s is not in the calendar yet: deadlines "
              "reaching into %(year)s count Monday to Friday as working days and are "
              "provisional. Import the State Council's schedule for %(year)s as soon as it "
              "is published.") % {"year": next_year}
        )
    return warnings


def unpublished_years(calendar, first: datetime.date, last: datetime.date) -> list[int]:
    """The years of first..last whose schedule `calendar` does not hold."""
    return [y for y in range(first.year, last.year + 1) if y not in calendar.published_years]


def items_overdue(today=None):
    """Items whose clock runs and whose due date has passed: what supervision acts on."""
    from bangban.cases.models import CaseItem
    from bangban.cases.workflow import CaseState, ItemState

    from bangban.cases.models import ClockPause

    today = today or timezone.localdate()
    # An accepted item of a running case can still have a paused clock: a special procedure
    # (行政许可法 §45) keeps it accepted. Supplements and suspension change the item's or the
    # case's state, so they are excluded above as well.
    paused = ClockPause.objects.filter(item=OuterRef("pk"), ended_at__isnull=True)
    return CaseItem.objects.filter(
        state=ItemState.ACCEPTED, case__state=CaseState.IN_PROGRESS, due_date__lt=today
    ).exclude(Exists(paused))
