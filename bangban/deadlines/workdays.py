"""Working-day arithmetic on the PRC calendar (行政许可法 §82).

Counting starts the working day after the start date. The holiday schedule comes from the
`chinese_calendar` package; for a year it does not know yet, weekdays are working days.
"""

import datetime

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    day = start
    remaining = count
    while remaining > 0:
        day += ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: datetime.date) -> datetime.date:
    return add_working_days(day, 1)
