"""The working-day calendar as a pure value: no database, no clock (行政许可法 §82).

A `WorkingCalendar` is built from the exceptions to the weekday rule (statutory days off that
fall on weekdays or weekends, make-up working days 调休 on weekends) and from the years whose
schedule is published. Inside the range of years it knows it holds, for every day, whether it
is a working day and a cumulative count of working days; outside that range it counts Monday to
Friday. So every question is O(1) (`is_working_day`, `working_days_between`) or one binary
search (`add_working_days`), whatever the distance.

A result that depends on a day of a year whose schedule is not published (before the first or
after the last published year, or a gap between them) is *provisional*: the State Council may
still move days off and make-up days into it.

Counting follows 行政许可法: "N working days after START" starts the working day after START.
"""

import datetime
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import NamedTuple

# date(1, 1, 1) is a Monday and has ordinal 1; weekday arithmetic is done on ordinals from it.
_MONDAY_ONE = 1


def _weekdays_before(ordinal: int) -> int:
    """How many Mondays-to-Fridays lie in [day 1, ordinal) (negative before day 1)."""
    weeks, rest = divmod(ordinal - _MONDAY_ONE, 7)
    return 5 * weeks + min(rest, 5)


def _weekday_numbered(count: int) -> int:
    """The ordinal of the weekday that has exactly `count` weekdays before it (the inverse)."""
    weeks, rest = divmod(count, 5)
    return _MONDAY_ONE + 7 * weeks + rest


class DueDate(NamedTuple):
    date: datetime.date
    provisional: bool


class WorkingDayCount(NamedTuple):
    days: int
    provisional: bool


class WorkingCalendar:
    """Working days of one calendar: the national schedule, or it plus an agency's local days.

    `exceptions` maps a date to True (a working day, e.g. a make-up Saturday) or False (a day
    off, e.g. a statutory holiday); a day not in it is a working day when it is Monday to
    Friday. `published_years` are the years whose official schedule the exceptions represent.
    """

    def __init__(self, exceptions: Mapping[datetime.date, bool], published_years: Iterable[int]):
        self.exceptions = dict(exceptions)
        self.published_years = frozenset(published_years)
        years = self.published_years | {day.year for day in self.exceptions}
        if years:
            self._first = datetime.date(min(years), 1, 1).toordinal()
            self._end = datetime.date(max(years), 12, 31).toordinal() + 1
        else:
            self._first = self._end = datetime.date(2000, 1, 1).toordinal()
        size = self._end - self._first
        working = bytearray(size)
        for index in range(size):
            working[index] = (self._first + index - _MONDAY_ONE) % 7 < 5
        for day, is_working in self.exceptions.items():
            working[day.toordinal() - self._first] = bool(is_working)
        # _cumulative[i]: working days among the first i days of the range.
        cumulative = [0] * (size + 1)
        total = 0
        for index, flag in enumerate(working):
            total += flag
            cumulative[index + 1] = total
        self._working = bytes(working)
        self._cumulative = cumulative
        if self.published_years:
            low, high = min(self.published_years), max(self.published_years)
            self._published_span = (low, high)
            self._gap_years = [y for y in range(low, high + 1) if y not in self.published_years]
        else:
            self._published_span = None
            self._gap_years = []

    # ------------------------------------------------------------------ building

    def with_local_days(self, local: Mapping[datetime.date, bool]) -> "WorkingCalendar":
        """This calendar with an agency's own days (local days off) laid over it."""
        if not local:
            return self
        return WorkingCalendar({**self.exceptions, **local}, self.published_years)

    @property
    def known_years(self) -> tuple[int, int] | None:
        """(first, last) published year, or None when no year is published."""
        return self._published_span

    # ------------------------------------------------------------------ the index

    def _working_before(self, ordinal: int) -> int:
        """Working days before `ordinal`, counted from the start of the index (signed)."""
        if ordinal <= self._first:
            return _weekdays_before(ordinal) - _weekdays_before(self._first)
        if ordinal <= self._end:
            return self._cumulative[ordinal - self._first]
        return (
            self._cumulative[-1] + _weekdays_before(ordinal) - _weekdays_before(self._end)
        )

    def _working_day_numbered(self, count: int) -> int:
        """The ordinal of the working day that has `count` working days before it."""
        if count < 0:
            return _weekday_numbered(count + _weekdays_before(self._first))
        total = self._cumulative[-1]
        if count < total:
            # The first prefix that holds count + 1 working days ends on the day we want.
            return self._first + bisect_right(self._cumulative, count) - 1
        return _weekday_numbered(count - total + _weekdays_before(self._end))

    # ------------------------------------------------------------------ questions

    def is_working_day(self, day: datetime.date) -> bool:
        ordinal = day.toordinal()
        if self._first <= ordinal < self._end:
            return bool(self._working[ordinal - self._first])
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The `count`-th working day after `start` (`start` itself for 0)."""
        if count < 0:
            raise ValueError("count must not be negative")
        if count == 0:
            return start
        ordinal = start.toordinal() + 1
        cumulative = self._cumulative
        if self._first <= ordinal <= self._end:  # the common case, inlined
            wanted = cumulative[ordinal - self._first] + count - 1
            if wanted < cumulative[-1]:
                index = bisect_right(cumulative, wanted, ordinal - self._first)
                return datetime.date.fromordinal(self._first + index - 1)
        else:
            wanted = self._working_before(ordinal) + count - 1
        return datetime.date.fromordinal(self._working_day_numbered(wanted))

    def next_working_day(self, day: datetime.date) -> datetime.date:
        return self.add_working_days(day, 1)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
        if end <= start:
            return 0
        return self._working_before(end.toordinal() + 1) - self._working_before(
            start.toordinal() + 1
        )

    def is_provisional(self, first: datetime.date, last: datetime.date | None = None) -> bool:
        """Whether any day of first..last lies in a year whose schedule is not published."""
        low_year = first.year
        high_year = (last or first).year
        if self._published_span is None:
            return True
        low, high = self._published_span
        if low_year < low or high_year > high:
            return True
        gaps = self._gap_years
        index = bisect_right(gaps, high_year)
        return index > 0 and gaps[index - 1] >= low_year

    def due(self, start: datetime.date, count: int) -> DueDate:
        """`add_working_days` and whether the days it counted are all published ones."""
        day = self.add_working_days(start, count)
        if count == 0:
            return DueDate(day, False)
        return DueDate(day, self.is_provisional(start + datetime.timedelta(days=1), day))

    def count_between(self, start: datetime.date, end: datetime.date) -> WorkingDayCount:
        days = self.working_days_between(start, end)
        if end <= start:
            return WorkingDayCount(days, False)
        return WorkingDayCount(days, self.is_provisional(start + datetime.timedelta(days=1), end))


def year_ranges(years: Iterable[int]) -> str:
    """2004, 2005, …, 2026, 2028 → "2004–2026, 2028"."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


# --------------------------------------------------------------------------- package data

# The chinese_calendar package names holidays in English; the calendar stores the official
# Chinese names (they are data, shown as they are, like matter names).
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class PackageDay(NamedTuple):
    date: datetime.date
    kind: str  # "holiday" or "workday"
    name: str


def package_days() -> list[PackageDay]:
    """Every exception the chinese_calendar package knows, with Chinese names, by date."""
    from chinese_calendar import constants

    days = [
        PackageDay(day, "holiday", PACKAGE_HOLIDAY_NAMES.get(str(name), str(name)))
        for day, name in constants.holidays.items()
    ] + [
        PackageDay(day, "workday", PACKAGE_HOLIDAY_NAMES.get(str(name), str(name)))
        for day, name in constants.workdays.items()
    ]
    return sorted(days)


def package_years() -> range:
    """The years whose schedule the chinese_calendar package holds (2004–2026 in 1.11)."""
    years = [day.date.year for day in package_days()]
    return range(min(years), max(years) + 1)


def calendar_from_package() -> WorkingCalendar:
    return WorkingCalendar(
        {day.date: day.kind == "workday" for day in package_days()}, package_years()
    )
