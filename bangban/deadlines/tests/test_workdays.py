"""The module API on the calendar in the database: fallback, seeding, agencies, invalidation."""

import datetime
import uuid

import pytest

from bangban.deadlines import selectors
from bangban.deadlines.models import CalendarDay, CalendarRevision, DayKind, PublishedYear
from bangban.deadlines.selectors import calendar_is_seeded, current_calendar
from bangban.deadlines.services import delete_calendar_days, save_calendar_day, seed_from_package
from bangban.deadlines.workdays import (
    add_working_days,
    count_between,
    due_after,
    is_working_day,
    next_working_day,
    working_days_between,
)
from bangban.deadlines.working_calendar import calendar_from_package
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def seeded():
    seed_from_package()


def test_ten_working_days_after_national_day_eve_skips_the_golden_week():
    # catalog.md reference check: 28 Sep and 11 Oct 2025 are make-up working days.
    assert add_working_days(datetime.date(2025, 9, 26), 10) == datetime.date(2025, 10, 16)


def test_make_up_saturday_is_a_working_day_and_a_holiday_monday_is_not():
    assert is_working_day(datetime.date(2025, 9, 28))
    assert not is_working_day(datetime.date(2025, 10, 6))


def test_years_beyond_the_published_schedule_count_weekdays():
    assert add_working_days(datetime.date(2031, 1, 3), 1) == datetime.date(2031, 1, 6)
    assert due_after(datetime.date(2031, 1, 3), 1).provisional


def test_an_empty_database_uses_the_package_schedules():
    assert not calendar_is_seeded()
    assert current_calendar().known_years == (2004, 2026)
    assert next_working_day(D(2024, 2, 9)) == D(2024, 2, 18)


def test_the_first_national_change_stores_the_package_schedules_first():
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY, name="x"))
    assert calendar_is_seeded()
    assert current_calendar().known_years == (2004, 2026)
    assert not is_working_day(D(2025, 6, 6))
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)


def test_the_seeded_calendar_is_the_package_calendar_on_every_day(seeded):
    assert calendar_is_seeded()
    stored, package = current_calendar(), calendar_from_package()
    assert stored.published_years == package.published_years
    day = D(2004, 1, 1)
    while day.year <= 2026:
        assert stored.is_working_day(day) == package.is_working_day(day), day
        day += datetime.timedelta(days=1)
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 16)) == 10
    assert count_between(D(2026, 12, 30), D(2027, 1, 4)) == (3, True)


def test_seeding_twice_writes_nothing_the_second_time(seeded):
    count = CalendarDay.objects.count()
    summary = seed_from_package()
    assert summary.years == [] and summary.skipped == list(range(2004, 2027))
    assert CalendarDay.objects.count() == count == 771
    assert PublishedYear.objects.count() == 23


def test_seeding_again_keeps_an_administrators_edit(seeded):
    day = CalendarDay.objects.get(date=D(2025, 10, 8), agency=None)
    day.kind, day.name = DayKind.WORKDAY, "改"
    day.save()
    seed_from_package()
    assert CalendarDay.objects.get(pk=day.pk).name == "改"


def test_seeding_names_the_holidays_in_chinese(seeded):
    assert CalendarDay.objects.get(date=D(2025, 10, 1), agency=None).name == "国庆节"
    workday = CalendarDay.objects.get(date=D(2025, 9, 28), agency=None)
    assert (workday.kind, workday.name) == (DayKind.WORKDAY, "国庆节")


# ---------------------------------------------------------------- agencies


def test_an_agencys_local_day_off_applies_to_it_and_the_agencies_below(seeded):
    prefecture = AgencyFactory(code="prefecture")
    county = AgencyFactory(code="county", parent=prefecture)
    other = AgencyFactory(code="other")
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY,
                                      name="古尔邦节", agency=prefecture))
    assert not is_working_day(D(2025, 6, 6), agency=prefecture)
    assert not is_working_day(D(2025, 6, 6), agency=county)
    assert is_working_day(D(2025, 6, 6), agency=other)
    assert is_working_day(D(2025, 6, 6))
    assert add_working_days(D(2025, 6, 5), 1, agency=county) == D(2025, 6, 9)
    assert add_working_days(D(2025, 6, 5), 1) == D(2025, 6, 6)


def test_a_nearer_agency_overrides_the_one_above(seeded):
    prefecture = AgencyFactory()
    county = AgencyFactory(parent=prefecture)
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY,
                                      agency=prefecture))
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 7), kind=DayKind.WORKDAY, name="调休",
                                      agency=county))
    assert not is_working_day(D(2025, 6, 6), agency=county)
    assert is_working_day(D(2025, 6, 7), agency=county)
    assert not is_working_day(D(2025, 6, 7), agency=prefecture)


def test_local_days_work_on_an_unseeded_database_too():
    agency = AgencyFactory()
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY, agency=agency))
    assert not calendar_is_seeded()  # a local day alone does not replace the package's years
    assert not is_working_day(D(2025, 6, 6), agency=agency)
    assert add_working_days(D(2025, 9, 26), 10, agency=agency) == D(2025, 10, 16)


# ---------------------------------------------------------------- invalidation


def test_an_edit_is_seen_by_the_next_question(seeded):
    assert is_working_day(D(2025, 6, 6))
    day = save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY))
    assert not is_working_day(D(2025, 6, 6))
    delete_calendar_days(days=[day])
    assert is_working_day(D(2025, 6, 6))


def test_a_change_made_by_another_process_is_seen_through_the_revision_token(seeded):
    assert is_working_day(D(2025, 6, 6))
    # Another process writes a day and changes the token in its transaction.
    CalendarDay.objects.create(date=D(2025, 6, 6), kind=DayKind.HOLIDAY)
    assert is_working_day(D(2025, 6, 6))  # same token: the calendar in memory is kept
    CalendarRevision.objects.filter(pk=1).update(token=uuid.uuid4())
    assert not is_working_day(D(2025, 6, 6))


def test_an_unchanged_calendar_costs_one_small_query_per_question(seeded,
                                                                  django_assert_num_queries):
    is_working_day(D(2025, 6, 6))
    with django_assert_num_queries(1):
        add_working_days(D(2025, 9, 26), 10)
    calendar = current_calendar()
    with django_assert_num_queries(0):  # many questions at once: ask the calendar directly
        assert [calendar.add_working_days(D(2025, 9, 26), n) for n in (1, 10)] == [
            D(2025, 9, 28), D(2025, 10, 16)]


def test_the_calendar_is_rebuilt_only_when_the_token_changes(seeded, monkeypatch):
    builds = []
    load = selectors._load
    monkeypatch.setattr(selectors, "_load", lambda token: builds.append(token) or load(token))
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY))
    for _ in range(5):
        is_working_day(D(2025, 6, 6))
    assert len(builds) == 1
