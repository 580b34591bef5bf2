"""The pure calendar against the real published schedules and a day-by-day loop."""

import datetime

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangban.deadlines.tests.conftest import naive_add, naive_between, package_is_working_day
from bangban.deadlines.working_calendar import (
    WorkingCalendar,
    calendar_from_package,
    package_years,
    year_ranges,
)

D = datetime.date
CALENDAR = calendar_from_package()


def working_days_in(calendar, year):
    return calendar.working_days_between(D(year - 1, 12, 31), D(year, 12, 31))


# ---------------------------------------------------------------- published schedules


def test_ten_working_days_after_national_day_eve_2025_is_16_october():
    # catalog.md: 28 Sep and 11 Oct 2025 are make-up working days; 1–8 Oct are off.
    assert CALENDAR.add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert CALENDAR.working_days_between(D(2025, 9, 26), D(2025, 10, 16)) == 10


def test_national_day_2025_make_up_days_work_and_the_holiday_week_does_not():
    assert CALENDAR.is_working_day(D(2025, 9, 28))  # Sunday, make-up
    assert CALENDAR.is_working_day(D(2025, 10, 11))  # Saturday, make-up
    assert not any(CALENDAR.is_working_day(D(2025, 10, day)) for day in range(1, 9))


def test_spring_festival_2024_is_off_10_to_17_february_with_two_make_up_sundays():
    assert not any(CALENDAR.is_working_day(D(2024, 2, day)) for day in range(10, 18))
    assert CALENDAR.is_working_day(D(2024, 2, 4))
    assert CALENDAR.is_working_day(D(2024, 2, 18))
    # Friday 9 Feb (除夕) was a working day in 2024; the next one is the make-up Sunday.
    assert CALENDAR.next_working_day(D(2024, 2, 9)) == D(2024, 2, 18)


def test_spring_festival_2020_extended_to_2_february():
    # The State Council extended the 2020 holiday (COVID-19) to Sunday 2 February; the
    # make-up Saturday 1 February was cancelled.
    assert not any(CALENDAR.is_working_day(D(2020, 1, day)) for day in range(24, 32))
    assert not CALENDAR.is_working_day(D(2020, 2, 1))
    assert not CALENDAR.is_working_day(D(2020, 2, 2))
    assert CALENDAR.is_working_day(D(2020, 1, 19))  # the make-up Sunday before
    assert CALENDAR.next_working_day(D(2020, 1, 23)) == D(2020, 2, 3)


def test_2025_rules_with_13_statutory_days_give_248_working_days():
    # 2025 revision: Spring Festival and Labour Day one day longer each (13 statutory days).
    assert not any(CALENDAR.is_working_day(D(2025, 1, 28) + datetime.timedelta(days=n))
                   for n in range(8))  # 28 Jan – 4 Feb
    assert CALENDAR.is_working_day(D(2025, 1, 26)) and CALENDAR.is_working_day(D(2025, 2, 8))
    assert not any(CALENDAR.is_working_day(D(2025, 5, day)) for day in range(1, 6))
    assert CALENDAR.is_working_day(D(2025, 4, 27))
    assert working_days_in(CALENDAR, 2025) == 248
    assert working_days_in(CALENDAR, 2024) == 251


def test_the_package_knows_2004_to_2026():
    assert package_years() == range(2004, 2027)
    assert CALENDAR.known_years == (2004, 2026)


# ---------------------------------------------------------------- counting rules


def test_counting_starts_the_working_day_after_the_start():
    # Accepted on Friday 2025-09-26: day 1 is the make-up Sunday 28 Sep, not the 26th.
    assert CALENDAR.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    # Accepted on a holiday: day 1 is the first working day after it.
    assert CALENDAR.add_working_days(D(2025, 10, 3), 1) == D(2025, 10, 9)


def test_zero_days_is_the_start_itself_and_negative_is_refused():
    assert CALENDAR.add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 3)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(D(2025, 10, 3), -1)


def test_between_is_zero_when_the_end_is_not_after_the_start():
    assert CALENDAR.working_days_between(D(2025, 10, 16), D(2025, 10, 16)) == 0
    assert CALENDAR.working_days_between(D(2025, 10, 16), D(2025, 9, 26)) == 0


# ---------------------------------------------------------------- provisional


def test_beyond_the_published_years_weekdays_count_and_the_result_is_provisional():
    assert CALENDAR.add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)
    assert CALENDAR.due(D(2026, 12, 20), 10) == (D(2027, 1, 1), True)
    assert CALENDAR.due(D(2026, 12, 1), 10) == (D(2026, 12, 15), False)
    assert CALENDAR.count_between(D(2026, 12, 30), D(2027, 1, 4)) == (3, True)
    assert CALENDAR.count_between(D(2003, 12, 30), D(2004, 1, 5)).provisional


def test_a_gap_between_published_years_is_provisional():
    calendar = WorkingCalendar({}, [2024, 2026])
    assert calendar.is_provisional(D(2025, 3, 1))
    assert calendar.is_provisional(D(2024, 12, 1), D(2026, 1, 5))
    assert not calendar.is_provisional(D(2026, 1, 1), D(2026, 12, 31))
    assert not calendar.is_provisional(D(2024, 1, 1))


def test_a_calendar_without_years_counts_weekdays_provisionally():
    calendar = WorkingCalendar({}, [])
    assert calendar.add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 10)
    assert calendar.due(D(2025, 9, 26), 10).provisional


# ---------------------------------------------------------------- local days off


def test_local_days_off_are_laid_over_the_national_schedule():
    # e.g. 古尔邦节 on Friday 2025-06-06 in an autonomous prefecture.
    local = CALENDAR.with_local_days({D(2025, 6, 6): False})
    assert not local.is_working_day(D(2025, 6, 6))
    assert CALENDAR.is_working_day(D(2025, 6, 6))
    assert local.add_working_days(D(2025, 6, 5), 1) == D(2025, 6, 9)
    assert CALENDAR.add_working_days(D(2025, 6, 5), 1) == D(2025, 6, 6)
    assert local.working_days_between(D(2025, 6, 1), D(2025, 6, 30)) == (
        CALENDAR.working_days_between(D(2025, 6, 1), D(2025, 6, 30)) - 1
    )
    assert CALENDAR.with_local_days({}) is CALENDAR


def test_year_ranges_are_written_compactly():
    assert year_ranges([2026, 2004, 2005, 2028]) == "2004–2005, 2026, 2028"
    assert year_ranges([]) == ""


# ---------------------------------------------------------------- against a day-by-day loop


def test_the_oracle_is_the_packages_own_answer_for_every_published_day():
    day = D(2004, 1, 1)
    while day.year <= 2026:
        assert package_is_working_day(day) == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))
    assert package_is_working_day(D(2027, 1, 1))  # a Friday: weekdays beyond the package

KNOWN = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31))
ANY = st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31))


@settings(max_examples=400, deadline=None)
@given(start=KNOWN, count=st.integers(min_value=0, max_value=600))
def test_add_agrees_with_a_day_by_day_loop_on_the_published_years(start, count):
    assert CALENDAR.add_working_days(start, count) == naive_add(start, count)


@settings(max_examples=400, deadline=None)
@given(start=KNOWN, end=KNOWN)
def test_between_agrees_with_a_day_by_day_loop_on_the_published_years(start, end):
    assert CALENDAR.working_days_between(start, end) == naive_between(start, end)


@settings(max_examples=200, deadline=None)
@given(start=ANY, count=st.integers(min_value=0, max_value=2000), end=ANY)
def test_agrees_with_a_day_by_day_loop_across_the_edges_of_the_published_years(start, count,
                                                                               end):
    assert CALENDAR.add_working_days(start, count) == naive_add(start, count)
    assert CALENDAR.working_days_between(start, end) == naive_between(start, end)


@settings(max_examples=200, deadline=None)
@given(start=KNOWN, count=st.integers(min_value=1, max_value=300),
       days_off=st.sets(KNOWN, max_size=20))
def test_local_days_agree_with_a_day_by_day_loop(start, count, days_off):
    local = CALENDAR.with_local_days({day: False for day in days_off})

    def is_working(day):
        return day not in days_off and package_is_working_day(day)

    assert local.add_working_days(start, count) == naive_add(start, count, is_working)
    end = start + datetime.timedelta(days=count)
    assert local.working_days_between(start, end) == naive_between(start, end, is_working)


@settings(max_examples=200, deadline=None)
@given(day=ANY)
def test_is_working_day_agrees_with_the_package(day):
    assert CALENDAR.is_working_day(day) == package_is_working_day(day)
