"""An item's legal clock as pure arithmetic: no database, no "now" (SPEC §5, 行政许可法).

The clock starts at the department's acceptance (受理) and counts the matter's unit: working
days on the `WorkingCalendar`, or calendar days (日) for matters whose law says so. Counting
starts the day after acceptance (行政许可法 §82). It does not run while a pause is open: a
supplement request (补正), a special procedure (听证、检验、检测、检疫、鉴定、专家评审, not
counted by law, §45) or the case's suspension (中止).

A pause is a span of whole days: started on S and ended on E, the days S+1 … E are not
counted (the day something is asked still counts, like the day of acceptance does not; the
clock runs again the day after the answer). Pauses may overlap (a supplement during a special
procedure); the clock skips their union, each pause reports its own days. A pause that begins
after the due date no longer moves it: the item is overdue whatever happens next.

While a pause is open the due date is the one the item would have if the clock ran again
tomorrow, so it moves by a day with every paused working day; the days left stay as they were.

A calendar-day limit whose last day is a day off ends on the next working day (民法典 §203).
"""

import datetime
import math
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext, ngettext

ONE_DAY = datetime.timedelta(days=1)
WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"


class Pause(NamedTuple):
    """One pause of the clock: dates (S, E] are not counted; `end` None while it runs."""

    start: datetime.date
    end: datetime.date | None
    cause: str  # PauseCause value: supplement / special_procedure / case_suspended
    attributed_to: str = ""  # "company" or "department"
    kind: str = ""  # for a special procedure: hearing, testing, …


class Policy(NamedTuple):
    """The warning window of an agency: yellow from `days_left` days left or `percent_used` %
    of the limit used (whichever comes first); red when overdue."""

    days_left: int = 2
    percent_used: int = 80


@dataclass(frozen=True)
class Note:
    """One line of a clock's explanation; `text` is translated when it is shown."""

    kind: str  # "holidays", "pause", "extension", "last_day_off", "provisional", "calendar_days"
    days: int = 0
    names: tuple = ()
    start: datetime.date | None = None
    end: datetime.date | None = None
    cause: str = ""
    detail: str = ""
    unit: str = WORKING_DAY

    @property
    def text(self):
        return note_text(self)

    def __str__(self):
        return self.text


class _Counter:
    """Counts the days of a unit: working days on a calendar, or every calendar day."""

    def __init__(self, unit, calendar):
        self.unit = unit
        self.calendar = calendar

    def between(self, start, end):
        """Counted days after `start` up to and including `end`."""
        if end <= start:
            return 0
        if self.unit == CALENDAR_DAY:
            return (end - start).days
        return self.calendar.working_days_between(start, end)

    def add(self, start, count):
        """The `count`-th counted day after `start` (`start` itself for 0)."""
        if self.unit == CALENDAR_DAY:
            return start + datetime.timedelta(days=count)
        return self.calendar.add_working_days(start, count)


@dataclass
class ClockReading:
    """What an item's clock says on `today`."""

    started_on: datetime.date
    today: datetime.date
    unit: str
    limit: int
    extension: int
    due_date: datetime.date
    used: int
    left: int
    overdue: int  # counted days past the due date (0 when not overdue)
    paused: bool  # a pause is open: the clock does not run
    provisional: bool
    notes: list = field(default_factory=list)
    paused_days: int = 0  # counted days skipped by pauses so far (union)

    @property
    def total(self):
        return self.limit + self.extension

    @property
    def is_overdue(self):
        return self.today > self.due_date


def merge_pauses(pauses, started_on, today):
    """The union of the pauses as sorted (start, end) spans, open ones ended `today`, each
    beginning no earlier than `started_on`; empty spans dropped."""
    spans = []
    for pause in pauses:
        start = max(pause.start, started_on)
        end = pause.end if pause.end is not None else max(today, start)
        if end > start:
            spans.append((start, end))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def date_of_count(counter, started_on, spans, count):
    """The date on which the clock has counted `count` days (`started_on` for 0): counting
    after `started_on`, skipping the spans (see `merge_pauses`)."""
    position, remaining = started_on, count
    for start, end in spans:
        if start <= position:
            position = max(position, end)
            continue
        available = counter.between(position, start)
        if available >= remaining:
            break
        remaining -= available
        position = end
    return counter.add(position, remaining)


def counted_up_to(counter, started_on, spans, day):
    """Counted days after `started_on` up to and including `day`, less the paused ones."""
    total = counter.between(started_on, day)
    for start, end in spans:
        if start >= day:
            break
        total -= counter.between(start, min(end, day))
    return max(total, 0)


def read_clock(*, started_on, limit, unit, calendar, today, pauses=(), extension=0,
               names=None):
    """The clock of an item accepted on `started_on` with `limit` (+ `extension`) days of
    `unit`, read on `today`.

    `calendar` is the WorkingCalendar of the deciding department's agency; `names` maps dates
    to the names of their days off and make-up days (春节, 国庆节 …) for the explanation.
    """
    names = names or {}
    counter = _Counter(unit, calendar)
    today = max(today, started_on)
    total = limit + extension
    spans = merge_pauses(pauses, started_on, today)
    due = date_of_count(counter, started_on, spans, total)
    notes = []
    last_day_moved = None
    if unit == CALENDAR_DAY and not calendar.is_working_day(due):
        moved = calendar.next_working_day(due)
        last_day_moved = (due, moved)
        due = moved
    used = counted_up_to(counter, started_on, spans, today)
    paused = any(p.end is None and p.start <= today for p in pauses)
    if today > due:
        left = 0
        overdue = max(used - counted_up_to(counter, started_on, spans, due), 0)
    else:
        left = max(total - used, 0)
        overdue = 0
    provisional = calendar.is_provisional(started_on + ONE_DAY, max(due, today))

    # ---- the explanation
    if unit == CALENDAR_DAY:
        notes.append(Note("calendar_days", unit=unit))
    else:
        plain = _WEEKDAYS.due(started_on, spans, total)
        shift = (due - plain).days
        window = [] if not shift else [
            d for d in _dates(started_on + ONE_DAY, max(due, plain))
            if calendar.is_working_day(d) != (d.weekday() < 5)
        ]
        holiday_names = tuple(dict.fromkeys(names[d] for d in window if names.get(d)))
        if shift and window:
            notes.append(Note("holidays", days=shift, names=holiday_names, start=plain,
                              end=due))
    if extension:
        notes.append(Note("extension", days=extension, unit=unit))
    paused_days = 0
    for pause in sorted(pauses, key=lambda p: (p.start, p.end or datetime.date.max)):
        start = max(pause.start, started_on)
        end = pause.end if pause.end is not None else max(today, start)
        days = counter.between(start, end)
        notes.append(Note("pause", days=days, start=pause.start, end=pause.end,
                          cause=pause.cause, detail=pause.kind, unit=unit))
    for start, end in spans:
        paused_days += counter.between(start, end)
    if last_day_moved:
        notes.append(Note("last_day_off", days=(last_day_moved[1] - last_day_moved[0]).days,
                          names=tuple(filter(None, [names.get(last_day_moved[0])])),
                          start=last_day_moved[0], end=last_day_moved[1]))
    if provisional:
        missing = sorted({y for y in range(started_on.year, max(due, today).year + 1)
                          if y not in calendar.published_years})
        notes.append(Note("provisional", names=tuple(str(y) for y in missing)))
    return ClockReading(
        started_on=started_on, today=today, unit=unit, limit=limit, extension=extension,
        due_date=due, used=used, left=left, overdue=overdue, paused=paused,
        provisional=provisional, notes=notes, paused_days=paused_days,
    )


def _dates(first, last):
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


class _WeekdaysOnly:
    """Monday to Friday with no holidays: the reference the holiday shift is measured from."""

    def working_days_between(self, start, end):
        from bangban.deadlines.working_calendar import _weekdays_before

        return _weekdays_before(end.toordinal() + 1) - _weekdays_before(start.toordinal() + 1)

    def add_working_days(self, start, count):
        from bangban.deadlines.working_calendar import _weekday_numbered, _weekdays_before

        if count == 0:
            return start
        return datetime.date.fromordinal(
            _weekday_numbered(_weekdays_before(start.toordinal() + 1) + count - 1)
        )

    def due(self, started_on, spans, total):
        return date_of_count(_Counter(WORKING_DAY, self), started_on, spans, total)


_WEEKDAYS = _WeekdaysOnly()


# --------------------------------------------------------------------------- warning level


def yellow_threshold(total, policy):
    """How many counted days used turn the light yellow: `days_left` or fewer left, or at least
    `percent_used` % of the limit used, whichever comes first."""
    by_left = total - policy.days_left
    by_share = math.ceil(total * policy.percent_used / 100)
    return max(min(by_left, by_share), 0)


def warning_level(reading, policy):
    """"green", "yellow" or "red" for a reading (SPEC §5)."""
    if reading.is_overdue:
        return "red"
    if reading.used >= yellow_threshold(reading.total, policy):
        return "yellow"
    return "green"


def next_check(reading, policy, *, calendar, pauses=()):
    """The first day after `reading.today` on which the level may change while nothing else
    happens: None while a pause is open (the level waits for the clock) or once red."""
    level = warning_level(reading, policy)
    if reading.paused or level == "red":
        return None
    if level == "yellow":
        return reading.due_date + ONE_DAY
    counter = _Counter(reading.unit, calendar)
    spans = merge_pauses(pauses, reading.started_on, reading.today)
    day = date_of_count(counter, reading.started_on, spans,
                        yellow_threshold(reading.total, policy))
    return max(min(day, reading.due_date + ONE_DAY), reading.today + ONE_DAY)


# --------------------------------------------------------------------------- explanation

CAUSE_LABELS = {
    "supplement": lambda: gettext("supplement"),
    "special_procedure": lambda: gettext("special procedure"),
    "case_suspended": lambda: gettext("case suspended"),
}


def _unit_days(days, unit):
    if unit == CALENDAR_DAY:
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    return ngettext("%(days)d working day", "%(days)d working days", days) % {"days": days}


def note_text(note):
    """One line of the explanation in the active language."""
    if note.kind == "holidays":
        names = "、".join(note.names) or gettext("days off")
        if note.days > 0:
            return ngettext("moved %(days)d day for %(names)s",
                            "moved %(days)d days for %(names)s", note.days) % {
                "days": note.days, "names": names}
        return ngettext("brought forward %(days)d day by make-up working days of %(names)s",
                        "brought forward %(days)d days by make-up working days of %(names)s",
                        -note.days) % {"days": -note.days, "names": names}
    if note.kind == "pause":
        cause = CAUSE_LABELS.get(note.cause, lambda: note.cause)()
        if note.detail:
            cause = f"{cause} ({note.detail})"
        if note.end is None:
            return gettext("paused since %(start)s for %(cause)s, %(days)s so far") % {
                "start": note.start.isoformat(), "cause": cause,
                "days": _unit_days(note.days, note.unit)}
        return gettext("paused %(days)s for %(cause)s (%(start)s – %(end)s)") % {
            "days": _unit_days(note.days, note.unit), "cause": cause,
            "start": note.start.isoformat(), "end": note.end.isoformat()}
    if note.kind == "extension":
        return gettext("extended by %(days)s") % {"days": _unit_days(note.days, note.unit)}
    if note.kind == "last_day_off":
        return ngettext(
            "the last day fell on a day off%(names)s: moved %(days)d day to the next working "
            "day", "the last day fell on a day off%(names)s: moved %(days)d days to the next "
            "working day", note.days) % {
            "days": note.days, "names": f" ({'、'.join(note.names)})" if note.names else ""}
    if note.kind == "calendar_days":
        return gettext("counted in calendar days (日), holidays included")
    if note.kind == "provisional":
        return gettext("provisional: the working-day schedule of %(years)s is not published "
                       "yet") % {"years": "、".join(note.names)}
    return note.kind
