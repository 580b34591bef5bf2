import datetime

import pytest
from chinese_calendar import constants
from django.utils import translation

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


def package_is_working_day(day):
    """The oracle: the chinese_calendar package's own tables, weekdays where it has none.

    The same answer as `chinese_calendar.is_workday` (a test checks every day), which takes
    about 50 µs a call: too slow for a day-by-day loop over years.
    """
    if day in constants.workdays:
        return True
    return day.weekday() < 5 and day not in constants.holidays


def naive_add(start, count, is_working=package_is_working_day):
    """Day-by-day: the count-th working day after start."""
    day = start
    while count > 0:
        day += ONE_DAY
        if is_working(day):
            count -= 1
    return day


def naive_between(start, end, is_working=package_is_working_day):
    """Day-by-day: working days after start up to and including end."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += is_working(day)
    return count
