"""The item clock's arithmetic (clock.py): pure, on the real published schedules."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangban.deadlines.clock import (
    CALENDAR_DAY,
    WORKING_DAY,
    Pause,
    Policy,
    next_check,
    read_clock,
    warning_level,
    yellow_threshold,
)
from bangban.deadlines.tests.conftest import naive_add, naive_between, package_is_working_day
from bangban.deadlines.working_calendar import (
    WorkingCalendar,
    calendar_from_package,
    package_days,
)

D = datetime.date
CALENDAR = calendar_from_package()
NAMES = {day.date: day.name for day in package_days()}


def read(started_on, limit, today, *, unit=WORKING_DAY, pauses=(), extension=0,
         calendar=CALENDAR):
    return read_clock(started_on=started_on, limit=limit, unit=unit, calendar=calendar,
                      today=today, pauses=pauses, extension=extension, names=NAMES)


def texts(reading):
    return [note.text for note in reading.notes]


def test_the_reference_check_of_the_catalog():
    # 10 working days after Friday 2025-09-26 is 2025-10-16 (国庆/中秋 1–8 Oct off; 28 Sep and
    # 11 Oct are make-up working days).
    reading = read(D(2025, 9, 26), 10, D(2025, 9, 26))
    assert reading.due_date == D(2025, 10, 16)
    assert (reading.used, reading.left, reading.overdue) == (0, 10, 0)
    assert not reading.provisional and not reading.paused
    # Monday to Friday alone would give 10 October: six days later for the holidays.
    assert texts(reading) == ["moved 6 days for 国庆节、中秋节"]


def test_counting_starts_the_day_after_acceptance():
    reading = read(D(2025, 3, 3), 1, D(2025, 3, 3))  # a Monday
    assert reading.due_date == D(2025, 3, 4)
    assert reading.used == 0
    assert read(D(2025, 3, 3), 1, D(2025, 3, 4)).used == 1


def test_days_used_and_left_on_a_day_inside_the_holidays():
    reading = read(D(2025, 9, 26), 10, D(2025, 10, 5))
    assert reading.used == 3  # 28, 29, 30 September
    assert reading.left == 7
    assert reading.due_date == D(2025, 10, 16)


def test_a_supplement_pauses_the_clock_and_moves_the_due_date():
    # Accepted Monday 3 March 2025, 5 working days: due Monday 10 March. A supplement asked on
    # Wednesday 5 March and supplied on Wednesday 12 March stops the clock for the working days
    # 6–12 March (5 of them); counting goes on from Thursday 13 March.
    pause = Pause(D(2025, 3, 5), D(2025, 3, 12), "supplement", "company")
    reading = read(D(2025, 3, 3), 5, D(2025, 3, 14), pauses=[pause])
    assert reading.due_date == D(2025, 3, 17)
    assert reading.used == 4  # 4, 5, 13, 14 March
    assert reading.left == 1
    assert reading.paused_days == 5
    assert "paused 5 working days for supplement (2025-03-05 – 2025-03-12)" in texts(reading)


def test_an_open_pause_freezes_the_days_left_and_moves_the_due_date_day_by_day():
    pause = Pause(D(2025, 3, 5), None, "supplement", "company")
    monday = read(D(2025, 3, 3), 5, D(2025, 3, 10), pauses=[pause])
    tuesday = read(D(2025, 3, 3), 5, D(2025, 3, 11), pauses=[pause])
    assert monday.paused and tuesday.paused
    assert monday.used == tuesday.used == 2
    assert monday.left == tuesday.left == 3
    assert monday.due_date == D(2025, 3, 13)  # three working days after Monday 10 March
    assert tuesday.due_date == D(2025, 3, 14)
    assert texts(tuesday)[-1] == "paused since 2025-03-05 for supplement, 4 working days so far"
    assert warning_level(monday, Policy()) == warning_level(tuesday, Policy())
    assert next_check(monday, Policy(), calendar=CALENDAR, pauses=[pause]) is None


def test_a_case_suspension_pauses_like_a_supplement():
    suspended = Pause(D(2025, 4, 1), D(2025, 4, 15), "case_suspended", "company")
    reading = read(D(2025, 3, 31), 3, D(2025, 4, 16), pauses=[suspended])
    # 1 April counts; 2–15 April (清明 4 April off) do not; then 16, 17 April.
    assert reading.due_date == D(2025, 4, 17)
    assert "paused 9 working days for case suspended (2025-04-01 – 2025-04-15)" in texts(
        reading)


def test_overlapping_pauses_are_skipped_once():
    pauses = [Pause(D(2025, 3, 4), D(2025, 3, 7), "special_procedure", "department", "听证"),
              Pause(D(2025, 3, 6), D(2025, 3, 11), "supplement", "company")]
    reading = read(D(2025, 3, 3), 5, D(2025, 3, 3), pauses=pauses)
    # 4 March counts, 5–11 March are paused, then 12, 13, 14, 17 March.
    assert reading.due_date == D(2025, 3, 17)
    assert reading.paused_days == 5


def test_a_pause_after_the_due_date_does_not_move_it():
    late = Pause(D(2025, 3, 12), None, "supplement", "company")
    reading = read(D(2025, 3, 3), 5, D(2025, 3, 14), pauses=[late])
    assert reading.due_date == D(2025, 3, 10)
    assert reading.is_overdue and reading.overdue == 2  # 11 and 12 March; paused since
    assert warning_level(reading, Policy()) == "red"


def test_calendar_days_count_holidays_and_end_on_a_working_day():
    # 10 calendar days (日) after 21 September 2025: 1 October, a day off; the period ends on
    # the next working day, 9 October (民法典 §203).
    reading = read(D(2025, 9, 21), 10, D(2025, 9, 30), unit=CALENDAR_DAY)
    assert reading.due_date == D(2025, 10, 9)
    assert reading.used == 9
    notes = texts(reading)
    assert notes[0] == "counted in calendar days (日), holidays included"
    assert "moved 8 days to the next working day" in notes[-1]
    plain = read(D(2025, 3, 3), 10, D(2025, 3, 3), unit=CALENDAR_DAY)
    assert plain.due_date == D(2025, 3, 13)


def test_a_calendar_day_pause_counts_every_day():
    pause = Pause(D(2025, 3, 5), D(2025, 3, 8), "supplement", "company")
    reading = read(D(2025, 3, 3), 10, D(2025, 3, 3), unit=CALENDAR_DAY, pauses=[pause])
    assert reading.due_date == D(2025, 3, 17)  # 13 March + 3 paused days, a Monday


def test_an_extension_adds_days_and_is_explained():
    reading = read(D(2025, 3, 3), 20, D(2025, 3, 3), extension=10)
    assert reading.total == 30
    assert reading.due_date == naive_add(D(2025, 3, 3), 30)
    assert "extended by 10 working days" in texts(reading)


def test_beyond_the_known_years_the_result_is_provisional():
    last = max(CALENDAR.published_years)
    reading = read(D(last, 12, 20), 20, D(last, 12, 20))
    assert reading.provisional
    assert texts(reading)[-1] == (
        f"provisional: the working-day schedule of {last + 1} is not published yet")
    assert not read(D(2025, 3, 3), 5, D(2025, 3, 3)).provisional


def test_an_agency_local_day_off_moves_the_due_date():
    local = CALENDAR.with_local_days({D(2025, 3, 5): False})
    names = {**NAMES, D(2025, 3, 5): "古尔邦节"}
    reading = read_clock(started_on=D(2025, 3, 3), limit=5, unit=WORKING_DAY,
                         calendar=local, today=D(2025, 3, 3), names=names)
    assert reading.due_date == D(2025, 3, 11)
    assert [n.text for n in reading.notes] == ["moved 1 day for 古尔邦节"]


# ------------------------------------------------------------------------- warning levels


@pytest.mark.parametrize("total, expected", [(5, 3), (20, 16), (10, 8), (1, 0), (2, 0)])
def test_the_yellow_threshold_is_whichever_comes_first(total, expected):
    assert yellow_threshold(total, Policy(days_left=2, percent_used=80)) == expected


def test_levels_and_next_checks_through_a_clock_life():
    started, policy = D(2025, 3, 3), Policy()

    def at(day):
        reading = read(started, 5, day)
        return warning_level(reading, policy), next_check(reading, policy, calendar=CALENDAR)

    # Due Monday 10 March; yellow once 3 of 5 are used (Thursday 6 March); red from 11 March.
    assert at(D(2025, 3, 3)) == ("green", D(2025, 3, 6))
    assert at(D(2025, 3, 5)) == ("green", D(2025, 3, 6))
    assert at(D(2025, 3, 6)) == ("yellow", D(2025, 3, 11))
    assert at(D(2025, 3, 10)) == ("yellow", D(2025, 3, 11))
    assert at(D(2025, 3, 11)) == ("red", None)


def test_an_agency_policy_changes_the_window():
    reading = read(D(2025, 3, 3), 20, D(2025, 3, 17))  # 10 of 20 used
    assert warning_level(reading, Policy()) == "green"
    assert warning_level(reading, Policy(days_left=2, percent_used=50)) == "yellow"
    assert warning_level(reading, Policy(days_left=10, percent_used=100)) == "yellow"


# ------------------------------------------------------------------------- properties

days = st.dates(min_value=D(2005, 1, 1), max_value=D(2026, 6, 30))


@settings(max_examples=150, deadline=None)
@given(start=days, limit=st.integers(1, 60), after=st.integers(0, 120))
def test_without_pauses_the_clock_is_the_working_day_calendar(start, limit, after):
    today = start + datetime.timedelta(days=after)
    reading = read(start, limit, today)
    assert reading.due_date == naive_add(start, limit)
    used = naive_between(start, today)
    assert reading.used == used
    if today <= reading.due_date:
        assert reading.left == limit - used
    else:
        assert reading.overdue == used - limit


@settings(max_examples=150, deadline=None)
@given(start=days, limit=st.integers(1, 30),
       spans=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 20)), max_size=3),
       after=st.integers(0, 90))
def test_pauses_skip_exactly_their_working_days(start, limit, spans, after):
    """Day by day: the due date is the limit-th working day after acceptance that lies in no
    pause; used days are the counted ones up to today."""
    pauses = [Pause(start + datetime.timedelta(days=a),
                    start + datetime.timedelta(days=a + length), "supplement", "company")
              for a, length in spans]
    today = start + datetime.timedelta(days=after)

    def paused(day):
        return any(p.start < day <= p.end for p in pauses)

    def counted(day):
        return package_is_working_day(day) and not paused(day)

    reading = read(start, limit, today, pauses=pauses)
    expected_due, day, count = start, start, 0
    while count < limit:
        day += datetime.timedelta(days=1)
        if counted(day):
            count += 1
    expected_due = day
    assert reading.due_date == expected_due
    assert reading.used == sum(
        counted(start + datetime.timedelta(days=i)) for i in range(1, after + 1))


@settings(max_examples=100, deadline=None)
@given(start=days, limit=st.integers(1, 40), after=st.integers(0, 80))
def test_the_level_only_changes_on_the_next_check(start, limit, after):
    """Nothing changes between a reading and its next check; on the check day it may."""
    policy = Policy()
    today = start + datetime.timedelta(days=after)
    reading = read(start, limit, today)
    level = warning_level(reading, policy)
    check = next_check(reading, policy, calendar=CALENDAR)
    if check is None:
        assert level == "red"
        return
    assert check > today
    day = today + datetime.timedelta(days=1)
    while day < check:
        assert warning_level(read(start, limit, day), policy) == level
        day += datetime.timedelta(days=1)
    assert warning_level(read(start, limit, check), policy) != level


def test_an_empty_calendar_counts_monday_to_friday_provisionally():
    reading = read(D(2025, 9, 26), 10, D(2025, 9, 26), calendar=WorkingCalendar({}, []))
    assert reading.due_date == D(2025, 10, 10)
    assert reading.provisional
