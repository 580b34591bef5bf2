import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Agency, Role
from bangban.cases.workflow import CaseState, ItemState
from bangban.consultations.models import Consultation
from bangban.deadlines.models import WarningLevel
from bangban.evaluations.models import Evaluation
from bangban.evaluations.workflow import Rating
from bangban.problems.models import Problem
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
EN = {"headers": {"accept-language": "en"}}
NOW = timezone.now()
LAST_YEAR = NOW.replace(year=NOW.year - 1)
FIGURE_LINK = re.compile(r'<a href="([^"]+)" data-figure="[^"]+">(\d+)</a>')


def _case(agency, *, specialist, state=CaseState.IN_PROGRESS, submitted_at=NOW, key=False):
    project = ProjectFactory(agency=agency, is_key_project=key)
    return CaseFactory(agency=agency, project=project, state=state, specialist=specialist,
                       submitted_at=submitted_at)


def _item(case, department, state=ItemState.ACCEPTED, **fields):
    return CaseItemFactory(case=case, department=department, state=state, **fields)


@pytest.fixture
def province():
    """A city with a district below it; cases, items, a consultation, problems and ratings
    in both, and one case of last year."""
    city = AgencyFactory(level=Agency.Level.CITY)
    district = AgencyFactory(parent=city, level=Agency.Level.COUNTY)
    city_department = DepartmentFactory(agency=city)
    district_department = DepartmentFactory(agency=district)
    alice, bob = UserFactory(), UserFactory()
    MembershipFactory(user=alice, agency=city, role=Role.SPECIALIST)
    MembershipFactory(user=bob, agency=district, role=Role.SPECIALIST)
    supervisor = UserFactory()
    MembershipFactory(user=supervisor, agency=city, role=Role.SUPERVISOR)
    representative = UserFactory()
    MembershipFactory(user=representative, agency=district, department=district_department,
                      role=Role.DEPARTMENT_REPRESENTATIVE)

    running = _case(city, specialist=alice, key=True)
    _item(running, city_department, warning_level=WarningLevel.RED,
          due_date=NOW.date() - datetime.timedelta(days=2))
    _item(running, city_department, warning_level=WarningLevel.GREEN,
          due_date=NOW.date() + datetime.timedelta(days=9))
    _item(running, district_department, state=ItemState.APPROVED, decided_at=NOW,
          due_date=NOW.date() - datetime.timedelta(days=1), days_used=12, promised_limit=10)
    planned = _case(district, specialist=bob, state=CaseState.PLANNED)
    _item(planned, district_department, state=ItemState.PLANNED)
    _item(planned, district_department, state=ItemState.REFUSED, decided_at=NOW,
          due_date=NOW.date() + datetime.timedelta(days=3), days_used=4, promised_limit=10)
    _item(planned, district_department, state=ItemState.PUSHED)
    old = _case(city, specialist=alice, state=CaseState.COMPLETED, submitted_at=LAST_YEAR)
    _item(old, city_department, state=ItemState.APPROVED, decided_at=LAST_YEAR, days_used=3)
    CaseFactory(agency=city, state=CaseState.DRAFT)

    Consultation.objects.create(agency=city, channel="phone", asked_at=NOW, asker_name="王",
                                question="?", first_responder=alice)
    Consultation.objects.create(agency=district, channel="window", asked_at=NOW,
                                asker_name="李", question="?", first_responder=bob,
                                is_first_inquiry=True, service_recommended=True)
    for number, (case, department, level, days_ago) in enumerate([
        (running, city_department, 1, 1), (planned, district_department, 2, 10),
        (planned, district_department, 1, 30),
    ]):
        raised = NOW - datetime.timedelta(days=days_ago)
        Problem.objects.create(
            number=f"P{number}", agency=case.agency, case=case, department=department,
            title="t", description="d", requested_outcome="o", raised_by=alice,
            raised_as="specialist", raised_at=raised, level=level,
            due_on=raised.date() + datetime.timedelta(days=3))
    for rating, case, specialist in [(Rating.VERY_SATISFIED, running, alice),
                                     (Rating.DISSATISFIED, planned, bob),
                                     (Rating.SATISFIED, old, alice)]:
        Evaluation.objects.create(company=case.project.company, case=case, agency=case.agency,
                                  specialist=specialist, rating=rating, channel="window",
                                  entered_by=supervisor, comment="c")
    return {"city": city, "district": district, "alice": alice, "bob": bob,
            "supervisor": supervisor, "representative": representative,
            "district_department": district_department}


def _figures(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("dashboards:dashboard") + query, **EN)
    assert response.status_code == 200
    return response, FIGURE_LINK.findall(response.content.decode())


def _figure(links, set_name, figure):
    prefix = reverse("dashboards:list", args=[set_name, figure]) + "?"
    return next(int(number) for url, number in links if url.startswith(prefix))


def _listed(client, url):
    response = client.get(url.replace("&amp;", "&"), **EN)
    assert response.status_code == 200
    return int(re.search(r'data-total="(\d+)"', response.content.decode()).group(1))


def test_every_number_of_the_dashboard_is_the_length_of_its_list(client, province):
    _, links = _figures(client, province["supervisor"])
    assert len(links) > 40
    for url, number in links:
        assert _listed(client, url) == int(number), url


def test_the_supervisor_sees_the_figures_of_the_agencies_below(client, province):
    _, links = _figures(client, province["supervisor"])
    assert _figure(links, "cases", "all") == 2  # this year's, drafts left out
    assert _figure(links, "cases", "key") == 1
    assert _figure(links, "items", "all") == 6
    assert _figure(links, "items", "warning.red") == 1
    assert _figure(links, "decided", "all") == 2
    assert _figure(links, "decided", "late") == 1
    assert _figure(links, "consultations", "first") == 1
    assert _figure(links, "problems", "level.1") == 2
    assert _figure(links, "problems", "age.16") == 1
    assert _figure(links, "ratings", "good") == 2
    assert _figure(links, "ratings", "bad") == 1


def test_all_time_takes_last_years_case_too(client, province):
    _, links = _figures(client, province["supervisor"], "?period=all")
    assert _figure(links, "cases", "all") == 3
    assert _figure(links, "cases", "state.completed") == 1


def test_the_agency_filter_takes_the_agencies_below_unless_told_not_to(client, province):
    city = province["city"].pk
    _, links = _figures(client, province["supervisor"], f"?agency={city}")
    assert _figure(links, "cases", "all") == 2
    _, links = _figures(client, province["supervisor"], f"?agency={city}&below=0")
    assert _figure(links, "cases", "all") == 1
    assert _figure(links, "consultations", "all") == 1


def test_a_specialist_sees_only_their_own_cases(client, province):
    _, links = _figures(client, province["bob"])
    assert _figure(links, "cases", "all") == 1
    assert _figure(links, "items", "all") == 3
    assert _figure(links, "consultations", "all") == 1
    assert _figure(links, "ratings", "all") == 1


def test_a_department_sees_only_the_items_pushed_to_it(client, province):
    _, links = _figures(client, province["representative"])
    # The planned item of the district department was never pushed: not theirs to see.
    assert _figure(links, "items", "all") == 3
    assert _figure(links, "items", "state.planned") == 0
    assert _figure(links, "consultations", "all") == 0


def test_the_specialist_filter_narrows_the_supervisors_figures(client, province):
    _, links = _figures(client, province["supervisor"], f"?specialist={province['bob'].pk}")
    assert _figure(links, "cases", "all") == 1
    assert _figure(links, "decided", "all") == 1


def test_the_department_filter_narrows_cases_to_those_with_its_items(client, province):
    department = province["district_department"].pk
    _, links = _figures(client, province["supervisor"], f"?department={department}")
    assert _figure(links, "cases", "all") == 2
    assert _figure(links, "items", "all") == 4


def test_a_month_of_the_trend_opens_that_months_cases(client, province):
    response, _ = _figures(client, province["supervisor"], "?period=all")
    month = LAST_YEAR.date().replace(day=1).isoformat()
    url = re.search(rf'href="([^"]*start={month}[^"]*)"', response.content.decode()).group(1)
    assert "/cases/all/" in url
    assert _listed(client, url) == 1


def test_charts_come_with_their_data_and_script(client, province):
    response, _ = _figures(client, province["supervisor"])
    content = response.content.decode()
    assert 'id="bb-charts-data"' in content
    assert "echarts.common.min.js" in content and "js/dashboards.js" in content
    assert "chart-warnings" in content


def test_a_custom_period_needs_both_days_in_order(client, province):
    client.force_login(province["supervisor"])
    response = client.get(reverse("dashboards:dashboard"),
                          {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
                          **EN)
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()
    assert "figures" not in response.context or response.context.get("figures") is None
    response = client.get(reverse("dashboards:dashboard"), {"period": "custom"}, **EN)
    assert "Give the first and the last day of the period." in response.content.decode()


def test_a_company_user_may_not_open_the_dashboard(client, province):
    client.force_login(UserFactory())
    assert client.get(reverse("dashboards:dashboard")).status_code == 403
    url = reverse("dashboards:list", args=["cases", "all"])
    assert client.get(url).status_code == 403


def test_an_unknown_figure_is_not_found(client, province):
    client.force_login(province["supervisor"])
    assert client.get(reverse("dashboards:list", args=["items", "nope"])).status_code == 404
    assert client.get(reverse("dashboards:list", args=["nope", "all"])).status_code == 404


def test_an_agency_outside_the_users_tree_is_refused_by_the_filter(client, province):
    elsewhere = AgencyFactory()
    client.force_login(province["bob"])
    response = client.get(reverse("dashboards:dashboard"), {"agency": elsewhere.pk}, **EN)
    assert response.status_code == 200
    assert response.context["form"].errors["agency"]


@pytest.mark.parametrize("set_name", ["cases", "items", "decided", "consultations",
                                      "problems", "ratings"])
def test_a_list_costs_the_same_queries_for_one_row_or_many(client, province, set_name):
    client.force_login(province["supervisor"])
    url = reverse("dashboards:list", args=[set_name, "all"]) + "?period=all"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    extra_case = _case(province["district"], specialist=province["bob"])
    for _ in range(3):
        item = _item(extra_case, province["district_department"], state=ItemState.APPROVED,
                     decided_at=NOW, days_used=2)
        Problem.objects.create(
            number=f"X{item.pk}", agency=extra_case.agency, case=extra_case,
            department=province["district_department"], title="t", description="d",
            requested_outcome="o", raised_by=province["bob"], raised_as="specialist",
            raised_at=NOW, due_on=NOW.date())
        Consultation.objects.create(agency=province["district"], channel="phone",
                                    asked_at=NOW, asker_name="赵", question="?",
                                    first_responder=province["bob"])
        Evaluation.objects.create(company=extra_case.project.company, case=extra_case,
                                  item=item, agency=extra_case.agency,
                                  specialist=province["bob"], rating=Rating.SATISFIED,
                                  channel="window", entered_by=province["supervisor"])
        _case(province["district"], specialist=province["bob"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert _listed(client, url) > 3
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_dashboard_costs_the_same_queries_whatever_it_counts(client, province):
    client.force_login(province["supervisor"])
    url = reverse("dashboards:dashboard") + "?period=all"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        _item(_case(province["district"], specialist=province["bob"], submitted_at=LAST_YEAR),
              province["district_department"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_figures_are_kept_for_the_configured_seconds_then_counted_again(client, province,
                                                                          settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    supervisor = province["supervisor"]
    with CaptureQueriesContext(connection) as counting:
        response, links = _figures(client, supervisor)
    assert _figure(links, "cases", "all") == 2
    counted_at = re.search(r'id="bb-counted-at">Figures as of ([^<]+)\.<',
                           response.content.decode()).group(1)
    _case(province["city"], specialist=province["alice"])
    with CaptureQueriesContext(connection) as kept:
        response, links = _figures(client, supervisor)
    assert _figure(links, "cases", "all") == 2  # as counted, and the page says when
    assert f"Figures as of {counted_at}." in response.content.decode()
    assert len(kept) < len(counting) - 5
    # Another filter, another user or a changed scope is counted afresh.
    assert _figure(_figures(client, supervisor, "?period=all")[1], "cases", "all") == 4
    MembershipFactory(user=province["bob"], agency=province["city"], role=Role.SUPERVISOR)
    assert _figure(_figures(client, province["bob"])[1], "cases", "all") == 3
    cache.clear()
    assert _figure(_figures(client, supervisor)[1], "cases", "all") == 3


def test_with_no_cache_seconds_every_visit_counts(client, province):
    _figures(client, province["supervisor"])
    _case(province["city"], specialist=province["alice"])
    assert _figure(_figures(client, province["supervisor"])[1], "cases", "all") == 3


def _options(page, name):
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return dict(re.findall(r'<option value="(\d*)"(?: selected)?>([^<]*)</option>', select))


def test_the_filters_offer_the_users_agencies_departments_and_specialists_by_name(
        client, province):
    province["alice"].full_name = "李华"
    province["alice"].save()
    province["bob"].full_name = ""
    province["bob"].save()
    client.force_login(province["supervisor"])
    page = client.get(reverse("dashboards:dashboard"),
                      {"specialist": province["bob"].pk}).content.decode()
    agencies = _options(page, "agency")
    assert {agencies[str(a.pk)] for a in (province["city"], province["district"])} == {
        province["city"].name, province["district"].name}
    department = province["district_department"]
    assert _options(page, "department")[str(department.pk)] == department.name
    specialists = _options(page, "specialist")
    assert specialists[str(province["alice"].pk)] == "李华"
    # Without a full name, the user name stands for the specialist, as everywhere.
    assert specialists[str(province["bob"].pk)] == province["bob"].username
    assert str(province["representative"].pk) not in specialists
    assert f'<option value="{province["bob"].pk}" selected>' in page
