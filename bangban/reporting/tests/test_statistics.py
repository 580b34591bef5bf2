"""统计表: figures per agency and period, the page, its export and its PDF."""

import datetime
import io
from unittest import mock

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from bangban.deadlines.models import WarningLevel
from bangban.reporting.periods import MONTH, QUARTER, YEAR, Period
from bangban.reporting.selectors import FIGURES, statistics_table
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _entry(case, action, day, item=None):
    with mock.patch("django.utils.timezone.now", return_value=_at(day)):
        return LedgerEntry.objects.create(case=case, item=item, action=action, actor=UserFactory(),
                                          actor_role="specialist")


@pytest.fixture
def tree():
    city = AgencyFactory(code="city")
    district = AgencyFactory(code="district", parent=city, level="county")
    return city, district


def test_periods():
    assert (Period(MONTH, 2026, 2).first_day, Period(MONTH, 2026, 2).last_day) == (
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert Period(QUARTER, 2026, 4).last_day == datetime.date(2026, 12, 31)
    assert Period(YEAR, 2026).first_day == datetime.date(2026, 1, 1)
    assert Period.containing(QUARTER, datetime.date(2026, 8, 9)) == Period(QUARTER, 2026, 3)
    with pytest.raises(ValueError):
        Period(QUARTER, 2026, 5)


def test_counts_the_events_of_the_period_per_agency(tree):
    city, district = tree
    march = datetime.date(2026, 3, 10)
    case = CaseFactory(agency=city, in_progress=True, decided_at=_at(march))
    _entry(case, "submit", march)
    _entry(case, "accept", march)
    item = CaseItemFactory(case=case, state=ItemState.APPROVED, decided_at=_at(march),
                           days_used=7, promised_limit=5, due_date=march)
    _entry(case, "push", march, item)
    _entry(case, "accept", march, item)
    _entry(case, "approve", march, item)
    CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level=WarningLevel.RED,
                    due_date=march)
    rejected = CaseFactory(agency=district, state=CaseState.REJECTED, decided_at=_at(march))
    _entry(rejected, "submit", march)
    _entry(rejected, "reject", march)
    later = CaseFactory(agency=district, state=CaseState.SUBMITTED)
    _entry(later, "submit", datetime.date(2026, 4, 2))
    ProjectFactory(agency=city, is_key_project=True)

    month = statistics_table(agency=city, period=Period(MONTH, 2026, 3))
    city_row, district_row = month["rows"]
    assert (city_row["agency"], district_row["agency"], district_row["depth"]) == (
        city, district, 1)
    assert {key: city_row[key] for key in ("received", "accepted", "rejected", "pushed",
                                           "items_accepted", "approved", "overdue",
                                           "in_progress")} == {
        "received": 1, "accepted": 1, "rejected": 0, "pushed": 1, "items_accepted": 1,
        "approved": 1, "overdue": 2, "in_progress": 1}
    assert (city_row["avg_used"], city_row["avg_promised"]) == (7, 5)
    assert (district_row["received"], district_row["rejected"]) == (1, 1)
    assert month["totals"]["received"] == 2
    assert city_row["satisfaction"] is None  # no rating: no rate, not 0 %
    year = statistics_table(agency=city, period=Period(YEAR, 2026))
    assert year["totals"]["received"] == 3
    assert statistics_table(agency=district, period=Period(QUARTER, 2026, 2))["totals"][
        "received"] == 1
    assert year["rows"][0]["key_projects"] == 1


def test_the_page_is_for_chiefs_and_supervisors_of_the_subtree(tree, client):
    city, district = tree
    outsider = MembershipFactory(agency=city, role=Role.SPECIALIST).user
    client.force_login(outsider)
    assert client.get(reverse("reporting:statistics")).status_code == 403
    district_chief = MembershipFactory(agency=district, role=Role.CHIEF_SPECIALIST).user
    client.force_login(district_chief)
    response = client.get(reverse("reporting:statistics"), {"agency": city.pk})
    assert response.status_code == 200
    assert response.context["form"].errors  # the city is not theirs to read
    assert response.context["table"] is None


def test_the_page_runs_the_same_queries_for_any_number_of_agencies(tree, client,
                                                                   django_assert_num_queries):

    city, district = tree
    client.force_login(MembershipFactory(agency=city, role=Role.SUPERVISOR).user)
    url = reverse("reporting:statistics")
    params = {"kind": QUARTER, "year": 2026, "number": 1}
    client.get(url, params)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, params).status_code == 200
    for _ in range(4):
        AgencyFactory(parent=district, level="county")
        CaseFactory(agency=district, in_progress=True)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url, params)
    assert response.content.count(b"data-agency=") == 2 + 4 + 1


def test_export_and_pdf_hold_the_same_figures(tree, client):
    city, district = tree
    case = CaseFactory(agency=district, state=CaseState.SUBMITTED)
    _entry(case, "submit", datetime.date(2026, 3, 10))
    client.force_login(MembershipFactory(agency=city, role=Role.CHIEF_SPECIALIST).user)
    params = {"agency": city.pk, "kind": MONTH, "year": 2026, "number": 3}
    response = client.get(reverse("reporting:export"), {**params, "table": "statistics"},
                          headers=EN)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["agency", *[str(label) for _key, label in FIGURES]]
    assert [row[0] for row in rows[1:]] == [city.name, district.name, "Total"]
    assert rows[2][1] == 1 and rows[3][1] == 1
    pdf = client.get(reverse("reporting:statistics"), {**params, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
