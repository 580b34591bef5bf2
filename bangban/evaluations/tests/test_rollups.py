"""Roll-ups per specialist and per department: the figures, the period, the agency tree."""

import datetime

import pytest
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.evaluations import selectors
from bangban.evaluations.models import Evaluation
from bangban.evaluations.tests.conftest import NOW, TZ
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 9, 1), datetime.date(2025, 9, 30)


def _rate(case, rating, *, item=None, on=datetime.date(2025, 9, 10), specialist=None):
    return Evaluation.objects.create(
        company_id=case.project.company_id, case=case, item=item, agency=case.agency,
        specialist=specialist or case.specialist,
        department=item.department if item else None, rating=rating,
        comment="意见" if rating >= 4 else "", channel="portal",
        entered_by=case.company_contact.user,
        rated_at=datetime.datetime.combine(on, datetime.time(10), tzinfo=TZ),
    )


@pytest.fixture
def tree():
    city = AgencyFactory()
    county = AgencyFactory(parent=city)
    sibling = AgencyFactory()
    alice, bob = UserFactory(full_name="Alice"), UserFactory(full_name="Bob")
    housing = DepartmentFactory(agency=county, name="住建局")
    planning = DepartmentFactory(agency=county, name="自然资源局")
    case_a = CaseFactory(agency=county, state="completed", specialist=alice)
    case_b = CaseFactory(agency=city, state="completed", specialist=bob)
    case_c = CaseFactory(agency=sibling, state="completed", specialist=bob)
    items = [CaseItemFactory(case=case_a, department=department, state="approved")
             for department in (housing, housing, planning)]
    _rate(case_a, 1, item=items[0])
    _rate(case_a, 4, item=items[1])
    _rate(case_a, 3, item=items[2])
    _rate(case_a, 2)
    _rate(case_b, 5)
    _rate(case_c, 1)  # another agency tree
    _rate(case_b, 1, item=CaseItemFactory(case=case_b, state="approved"),
          on=datetime.date(2025, 10, 1))  # after the period
    return {"city": city, "county": county, "alice": alice, "bob": bob, "housing": housing,
                "planning": planning}


def test_figures_per_specialist(tree):
    supervisor = MembershipFactory(agency=tree["city"], role=Role.SUPERVISOR).user
    rows = {row["name"]: row for row in selectors.ratings_by_specialist(supervisor, START, END)}
    assert set(rows) == {"Alice", "Bob"}
    alice = rows["Alice"]
    assert (alice["count"], alice["good"], alice["neutral"], alice["bad"]) == (4, 2, 1, 1)
    # Scores 5, 2, 3, 4 (6 − code): mean 3.5; satisfied (codes 1–2) 2 of 4.
    assert alice["mean_score"] == pytest.approx(3.5)
    assert alice["satisfied_share"] == pytest.approx(0.5)
    assert alice["object"] == tree["alice"]
    bob = rows["Bob"]
    assert (bob["count"], bob["bad"], bob["mean_score"]) == (1, 1, 1.0)


def test_figures_per_department_count_items_only(tree):
    supervisor = MembershipFactory(agency=tree["city"], role=Role.SUPERVISOR).user
    rows = {row["name"]: row for row in selectors.ratings_by_department(supervisor, START, END)}
    assert set(rows) == {"住建局", "自然资源局"}
    assert (rows["住建局"]["count"], rows["住建局"]["bad"]) == (2, 1)
    assert rows["住建局"]["mean_score"] == pytest.approx(3.5)
    assert (rows["自然资源局"]["count"], rows["自然资源局"]["neutral"]) == (1, 1)


def test_scope_follows_the_agency_tree(tree):
    county_chief = MembershipFactory(agency=tree["county"], role=Role.CHIEF_SPECIALIST).user
    names = [row["name"] for row in selectors.ratings_by_specialist(county_chief, START, END)]
    assert names == ["Alice"]
    assert selectors.rating_totals(county_chief, START, END)["count"] == 4
    assert selectors.rating_totals(tree["alice"], START, END)["count"] == 0


def test_period_bounds_are_inclusive(tree):
    supervisor = MembershipFactory(agency=tree["city"], role=Role.SUPERVISOR).user
    assert selectors.rating_totals(supervisor, START, END)["count"] == 5
    assert selectors.rating_totals(supervisor, START, datetime.date(2025, 10, 1))["count"] == 6
    assert selectors.rating_totals(supervisor, datetime.date(2025, 9, 11), END)["count"] == 0


def test_rating_figures_is_reusable_on_any_queryset(tree):
    rows = selectors.rating_figures(Evaluation.objects.all(), "agency")
    assert sum(row["count"] for row in rows) == 7
    empty = selectors.rating_figures(Evaluation.objects.none(), None)[0]
    assert empty["count"] == 0 and empty["satisfied_share"] is None


def test_summary_page_shows_the_figures(client, tree):
    supervisor = MembershipFactory(agency=tree["city"], role=Role.SUPERVISOR).user
    client.force_login(supervisor)
    response = client.get(reverse("evaluations:summary"),
                          {"start": START.isoformat(), "end": END.isoformat()})
    page = response.content.decode()
    assert 'id="rating-totals" data-count="5" data-bad="2"' in page
    assert f'data-key="{tree["alice"].pk}"' in page and 'data-count="4"' in page
    assert client.get(reverse("evaluations:summary"), {"start": "2025-10-01",
                                                        "end": "2025-09-01"}).status_code == 200


def test_summary_page_is_for_chiefs_and_supervisors(client, tree):
    client.force_login(tree["alice"])
    assert client.get(reverse("evaluations:summary")).status_code == 404


def test_default_period_is_the_year_to_date(client, tree, clock):
    supervisor = MembershipFactory(agency=tree["city"], role=Role.SUPERVISOR).user
    client.force_login(supervisor)
    response = client.get(reverse("evaluations:summary"))
    assert (response.context["start"], response.context["end"]) == (
        datetime.date(2025, 1, 1), NOW.date())
