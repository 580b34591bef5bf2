import datetime

from bangban.deadlines.workdays import add_working_days, is_working_day


def test_ten_working_days_after_national_day_eve_skips_the_golden_week():
    # catalog.md reference check: 28 Sep and 11 Oct 2025 are make-up working days.
    assert add_working_days(datetime.date(2025, 9, 26), 10) == datetime.date(2025, 10, 16)


def test_make_up_saturday_is_a_working_day_and_a_holiday_monday_is_not():
    assert is_working_day(datetime.date(2025, 9, 28))
    assert not is_working_day(datetime.date(2025, 10, 6))


def test_years_beyond_the_published_schedule_count_weekdays():
    assert add_working_days(datetime.date(2031, 1, 3), 1) == datetime.date(2031, 1, 6)
