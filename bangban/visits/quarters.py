"""Quarters of the year and the working-day window at the start of each (pure functions but
for the calendar, which is `deadlines.workdays`')."""

import datetime
from dataclasses import dataclass

from bangban.deadlines.workdays import add_working_days, is_working_day, working_days_between

# Guangzhou 三(四): the statistics are filled in during the first 5 working days of a quarter.
REPORTING_WORKING_DAYS = 5


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day):
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self):
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self):
        return self.next().first_day - datetime.timedelta(days=1)

    def next(self):
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year,
                                                                          self.number + 1)

    def previous(self):
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year,
                                                                          self.number - 1)

    def __str__(self):
        return f"{self.year} Q{self.number}"


def reporting_window(quarter, *, agency=None):
    """(first, last) day on which the previous quarter's statistics are due: the first
    `REPORTING_WORKING_DAYS` working days of `quarter`."""
    before = quarter.first_day - datetime.timedelta(days=1)
    return (add_working_days(before, 1, agency=agency),
            add_working_days(before, REPORTING_WORKING_DAYS, agency=agency))


def in_reporting_window(day, *, agency=None):
    """Whether `day` is one of the first working days of its quarter."""
    if not is_working_day(day, agency=agency):
        return False
    before = Quarter.of(day).first_day - datetime.timedelta(days=1)
    return working_days_between(before, day, agency=agency) <= REPORTING_WORKING_DAYS
