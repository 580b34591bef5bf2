import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangban.cases.models import LedgerEntry
from bangban.core.errors import NotAllowed
from bangban.visits import selectors, services
from bangban.visits.models import Activity, ActivityKind
from bangban.visits.quarters import Quarter, in_reporting_window, reporting_window
from bangban.visits.tests.conftest import (
    Q3_FIFTH_WORKING_DAY,
    Q3_FIRST_DAY,
    Q3_SATURDAY,
    Q3_SIXTH_WORKING_DAY,
)
from tests.factories import CaseFactory, CompanyFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 20)


def _record(world, by=None, **kwargs):
    fields = {"agency": world.city, "kind": ActivityKind.INTERACTION, "held_on": DAY,
              "title": "政企座谈会", "participants_count": 30, "summary": "宣讲审批改革政策"}
    fields.update(kwargs)
    return services.record_activity(by=by or world.specialist, **fields)


def test_recording_an_activity_with_companies(world):
    companies = [CompanyFactory(), CompanyFactory()]
    activity = _record(world, companies=companies)
    assert set(activity.companies.all()) == set(companies)
    assert activity.recorded_by == world.specialist
    assert not LedgerEntry.objects.exists()


def test_a_return_visit_after_a_case_goes_into_its_ledger(world):
    activity = _record(world, kind=ActivityKind.RETURN_VISIT, case=world.case)
    assert list(activity.companies.all()) == [world.case.project.company]
    entry = LedgerEntry.objects.get(case=world.case)
    assert entry.action == "visit_recorded" and entry.details["activity"] == activity.pk
    assert entry.actor == world.specialist


@pytest.mark.parametrize("who", ["outsider", "supervisor", "district_specialist"])
def test_only_the_agencys_specialists_record(world, who):
    with pytest.raises(NotAllowed):
        _record(world, by=getattr(world, who))
    assert not Activity.objects.exists()


def test_bad_input_is_refused_and_nothing_saved(world):
    with pytest.raises(ValidationError) as error:
        _record(world, held_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "held_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _record(world, participants_count=0, title=" ", summary="")
    assert {"participants_count", "title", "summary"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        _record(world, kind="party")
    with pytest.raises(ValidationError) as error:
        _record(world, case=CaseFactory(in_progress=True))  # a case the user does not handle
    assert "case" in error.value.message_dict
    assert not Activity.objects.exists() and not LedgerEntry.objects.exists()


def test_quarterly_statistics_count_per_kind_per_agency_with_sub_agencies(world):
    _record(world)
    _record(world, kind=ActivityKind.TRAINING, participants_count=12)
    _record(world, agency=world.district, participants_count=5)
    _record(world, agency=world.district, by=world.district_specialist,
            kind=ActivityKind.ON_SITE_VISIT, participants_count=3)
    _record(world, held_on=datetime.date(2025, 3, 31))  # the quarter before
    table = selectors.quarterly_statistics(agency=world.city, quarter=Quarter(2025, 2))
    city, district = table["rows"]
    assert city["agency"] == world.city and district["agency"] == world.district
    assert city["counts"][ActivityKind.INTERACTION] == 1
    assert city["counts"][ActivityKind.TRAINING] == 1 and city["total"] == 2
    assert district["counts"][ActivityKind.INTERACTION] == 1
    assert district["participants"][ActivityKind.ON_SITE_VISIT] == 3
    totals = table["totals"]
    assert totals["counts"][ActivityKind.INTERACTION] == 2
    assert totals["total"] == 4 and totals["total_participants"] == 50
    district_only = selectors.quarterly_statistics(agency=world.district,
                                                   quarter=Quarter(2025, 2))
    assert [row["agency"] for row in district_only["rows"]] == [world.district]
    assert district_only["totals"]["total"] == 2


def test_statistics_take_two_queries(world, django_assert_num_queries):
    for _ in range(5):
        _record(world)
    with django_assert_num_queries(2):
        selectors.quarterly_statistics(agency=world.city, quarter=Quarter(2025, 2))


def test_quarters():
    assert Quarter.of(datetime.date(2025, 12, 31)) == Quarter(2025, 4)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert Quarter(2025, 2).last_day == datetime.date(2025, 6, 30)


@pytest.mark.django_db
def test_reporting_window_is_the_first_five_working_days():
    assert reporting_window(Quarter(2025, 3)) == (Q3_FIRST_DAY, Q3_FIFTH_WORKING_DAY)
    assert in_reporting_window(Q3_FIRST_DAY) and in_reporting_window(Q3_FIFTH_WORKING_DAY)
    assert not in_reporting_window(Q3_SIXTH_WORKING_DAY)
    assert not in_reporting_window(Q3_SATURDAY)
    # After the National Day holiday 2025 (1–8 October), with Saturday 11 October a make-up
    # working day: 9, 10, 11, 13 and 14 October.
    assert reporting_window(Quarter(2025, 4)) == (datetime.date(2025, 10, 9),
                                                  datetime.date(2025, 10, 14))
    assert not in_reporting_window(datetime.date(2025, 10, 15))
