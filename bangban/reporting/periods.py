"""Reporting periods: a month, a quarter or a year (Qujiang 附件4 统计表 is filled per month,
Guangzhou's statistics per quarter, the annual report per year)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = [(MONTH, _("Month")), (QUARTER, _("Quarter")), (YEAR, _("Year"))]
MONTHS_IN = {MONTH: 1, QUARTER: 3, YEAR: 12}
NUMBERS = {MONTH: 12, QUARTER: 4, YEAR: 1}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int = 1  # the month (1–12) or quarter (1–4); 1 for a year

    def __post_init__(self):
        if self.kind not in MONTHS_IN or not 1 <= self.number <= NUMBERS[self.kind]:
            raise ValueError(f"No {self.kind} number {self.number}")

    @classmethod
    def containing(cls, kind, day):
        number = {MONTH: day.month, QUARTER: (day.month - 1) // 3 + 1, YEAR: 1}[kind]
        return cls(kind, day.year, number)

    @property
    def first_day(self):
        return datetime.date(self.year, (self.number - 1) * MONTHS_IN[self.kind] + 1, 1)

    @property
    def next_first_day(self):
        month = self.first_day.month + MONTHS_IN[self.kind]
        return datetime.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self):
        return self.next_first_day - datetime.timedelta(days=1)

    def moments(self):
        """[start, end) as aware datetimes in the agency's time zone, for timestamps."""
        return tuple(timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
                     for day in (self.first_day, self.next_first_day))

    def __str__(self):
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year} Q{self.number}"
        return str(self.year)
