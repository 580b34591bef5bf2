import datetime

import pytest
from django.core.exceptions import ValidationError

from bangban.deadlines import services
from bangban.deadlines.models import CalendarDay, CalendarRevision, DayKind, PublishedYear
from bangban.deadlines.schedule_file import ScheduleFileError
from bangban.deadlines.services import (
    import_schedule,
    recompute_due_dates,
    save_calendar_day,
    seed_from_package,
)
from bangban.deadlines.workdays import add_working_days, due_after, is_working_day
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
D = datetime.date

SCHEDULE_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-05,holiday,春节
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-20,workday,春节
2027-10-01,holiday,国庆节
"""


@pytest.fixture(autouse=True)
def seeded():
    seed_from_package()


def snapshot():
    return (
        list(CalendarDay.objects.order_by("pk").values_list()),
        list(PublishedYear.objects.order_by("pk").values_list()),
        list(CalendarRevision.objects.values_list()),
    )


def test_importing_next_year_publishes_it_and_ends_provisional_counting():
    assert due_after(D(2027, 2, 4), 1) == (D(2027, 2, 5), True)
    summary = import_schedule(content=SCHEDULE_2027, source="2027.csv")
    assert (summary.years, summary.days, summary.created) == ([2027], 11, 11)
    assert due_after(D(2027, 2, 4), 1) == (D(2027, 2, 15), False)
    assert is_working_day(D(2027, 2, 20))
    assert PublishedYear.objects.get(year=2027).source == "2027.csv"


def test_importing_into_an_unseeded_calendar_keeps_the_package_years():
    CalendarDay.objects.all().delete()
    PublishedYear.objects.all().delete()
    import_schedule(content=SCHEDULE_2027, source="2027.csv")
    assert set(PublishedYear.objects.values_list("year", flat=True)) == set(range(2004, 2028))
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)


def test_importing_the_same_file_again_changes_nothing():
    import_schedule(content=SCHEDULE_2027, source="2027.csv")
    summary = import_schedule(content=SCHEDULE_2027, source="2027.csv")
    assert (summary.created, summary.updated, summary.deleted) == (0, 0, 0)


def test_a_corrected_file_replaces_the_years_days():
    import_schedule(content=SCHEDULE_2027, source="2027.csv")
    corrected = SCHEDULE_2027.replace("2027-02-12,holiday,春节\n", "").replace(
        "2027-10-01,holiday,国庆节", "2027-10-01,holiday,国庆"
    )
    summary = import_schedule(content=corrected, source="2027-corrected.csv")
    assert (summary.created, summary.updated, summary.deleted) == (0, 1, 1)
    assert is_working_day(D(2027, 2, 12))
    assert CalendarDay.objects.get(date=D(2027, 10, 1)).name == "国庆"


def test_a_bad_line_changes_nothing_at_all():
    before = snapshot()
    with pytest.raises(ScheduleFileError) as raised:
        import_schedule(content=SCHEDULE_2027 + "2027-10-02,off,国庆节\n", source="bad.csv")
    assert raised.value.errors == [
        'Line 13: unknown kind "off"; use holiday (a day off) or workday (a make-up working '
        "day)."
    ]
    assert snapshot() == before


def test_a_failure_while_writing_rolls_the_whole_import_back(monkeypatch):
    before = snapshot()

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "recompute_due_dates", fail)
    with pytest.raises(RuntimeError):
        import_schedule(content=SCHEDULE_2027, source="2027.csv")
    assert snapshot() == before


def test_a_spill_over_into_december_keeps_the_rest_of_that_year():
    count_2026 = CalendarDay.objects.filter(date__year=2026).count()
    import_schedule(content=SCHEDULE_2027 + "2026-12-27,workday,元旦\n", source="2027.csv")
    assert CalendarDay.objects.filter(date__year=2026).count() == count_2026 + 1
    assert is_working_day(D(2026, 12, 27))
    assert PublishedYear.objects.get(year=2026).source.startswith("chinese_calendar")


def test_the_import_recomputes_the_due_dates_of_the_years_it_touched(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "recompute_due_dates",
                        lambda **kwargs: calls.append(kwargs) or 0)
    import_schedule(content=SCHEDULE_2027 + "2026-12-27,workday,元旦\n", source="2027.csv")
    assert calls == [{"years": [2026, 2027]}]


def test_recompute_due_dates_has_nothing_to_recompute_yet():
    # No model stores a due date computed from working days yet (see its docstring).
    assert recompute_due_dates(years=[2027]) == 0


def test_saving_a_day_recomputes_its_year_for_its_agency(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "recompute_due_dates",
                        lambda **kwargs: calls.append(kwargs) or 0)
    agency = AgencyFactory()
    day = save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind="holiday", agency=agency))
    day.date = D(2026, 6, 5)
    save_calendar_day(day=day)
    assert calls == [{"years": [2025], "agency": agency}, {"years": [2025, 2026],
                                                           "agency": agency}]


def test_a_day_is_validated_before_it_is_saved():
    with pytest.raises(ValidationError) as raised:
        save_calendar_day(day=CalendarDay(date=D(2025, 10, 1), kind=DayKind.HOLIDAY))
    assert "The national calendar already has this date." in str(raised.value)
    with pytest.raises(ValidationError):
        save_calendar_day(day=CalendarDay(date=D(2025, 6, 4), kind=DayKind.WORKDAY))
    agency = AgencyFactory()
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY, agency=agency))
    with pytest.raises(ValidationError) as raised:
        save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY,
                                          agency=agency))
    assert "This agency's calendar already has this date." in str(raised.value)


def test_a_national_day_and_an_agency_day_may_share_a_date():
    agency = AgencyFactory()
    save_calendar_day(day=CalendarDay(date=D(2025, 10, 1), kind=DayKind.HOLIDAY, agency=agency))
    assert CalendarDay.objects.filter(date=D(2025, 10, 1)).count() == 2


def test_every_change_gives_the_calendar_a_new_token():
    token = CalendarRevision.objects.get().token
    import_schedule(content=SCHEDULE_2027, source="2027.csv")
    assert CalendarRevision.objects.get().token != token


def test_a_day_off_added_by_an_administrator_moves_dates_computed_afterwards():
    assert add_working_days(D(2025, 6, 5), 1) == D(2025, 6, 6)
    save_calendar_day(day=CalendarDay(date=D(2025, 6, 6), kind=DayKind.HOLIDAY, name="x"))
    assert add_working_days(D(2025, 6, 5), 1) == D(2025, 6, 9)
