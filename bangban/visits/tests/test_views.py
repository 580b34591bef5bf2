import datetime

import pytest
from django.urls import reverse

from bangban.visits import services
from bangban.visits.models import Activity, ActivityKind
from tests.factories import AgencyFactory, CompanyFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 20)


def _record(world, n=0, **kwargs):
    fields = {"agency": world.city, "kind": ActivityKind.ON_SITE_VISIT, "held_on": DAY,
              "title": f"上门服务{n}", "participants_count": 3, "summary": "了解企业需求",
              "companies": [CompanyFactory()]}
    fields.update(kwargs)
    return services.record_activity(by=world.specialist, **fields)


def test_list_runs_a_constant_number_of_queries(world, client, django_assert_num_queries):
    client.force_login(world.supervisor)
    _record(world)
    url = reverse("visits:list")
    client.get(url)
    with django_assert_num_queries(7) as one:
        assert client.get(url).status_code == 200
    for n in range(1, 10):
        _record(world, n, kind=ActivityKind.RETURN_VISIT if n % 2 else ActivityKind.TRAINING,
                case=world.case if n % 2 else None, companies=[CompanyFactory(),
                                                               CompanyFactory()])
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.count(b"data-activity=") == 10
    filtered = client.get(url, {"kind": ActivityKind.TRAINING}).content
    assert filtered.count(b"data-activity=") == 4


def test_outsiders_and_other_agencies_see_nothing(world, client):
    activity = _record(world)
    client.force_login(world.outsider)
    assert client.get(reverse("visits:list")).status_code == 403
    assert client.get(reverse("visits:statistics")).status_code == 403
    assert client.get(reverse("visits:create")).status_code == 403
    client.force_login(world.district_specialist)
    assert client.get(reverse("visits:detail", args=[activity.pk])).status_code == 404
    assert b"data-activity=" not in client.get(reverse("visits:list")).content


def test_recording_through_the_page(world, client):
    company = CompanyFactory()
    client.force_login(world.specialist)
    form = client.get(reverse("visits:create"), {"kind": "return_visit",
                                                 "case": world.case.number})
    assert form.context["form"].initial["case_number"] == world.case.number
    response = client.post(reverse("visits:create"), {
        "kind": "return_visit", "held_on": "2025-05-20", "title": "办结回访",
        "participants_count": "2", "credit_codes": f"{company.credit_code}\n",
        "case_number": world.case.number, "summary": "企业对服务满意"})
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.case == world.case
    page = client.get(reverse("visits:detail", args=[activity.pk]))
    assert page.status_code == 200 and world.case.number in page.content.decode()
    assert set(activity.companies.all()) == {company, world.case.project.company}


def test_bad_input_on_the_page_changes_nothing(world, client):
    client.force_login(world.specialist)
    response = client.post(reverse("visits:create"), {
        "kind": "training", "held_on": "2999-01-01", "title": "培训",
        "participants_count": "0", "credit_codes": "NOT-A-CODE", "case_number": "BB0",
        "summary": "x"}, headers={"accept-language": "en"})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"participants_count", "credit_codes", "case_number"} <= set(form.errors)
    response = client.post(reverse("visits:create"), {
        "kind": "training", "held_on": "2999-01-01", "title": "培训",
        "participants_count": "5", "summary": "x"}, headers={"accept-language": "en"})
    assert b"once it has taken place" in response.content
    assert not Activity.objects.exists()


def test_statistics_page(world, client, django_assert_num_queries):
    _record(world, kind=ActivityKind.INTERACTION, participants_count=40)
    client.force_login(world.chief)
    url = reverse("visits:statistics")
    period = {"agency": world.city.pk, "year": 2025, "quarter": 2}
    client.get(url, period)
    with django_assert_num_queries(11) as one:
        client.get(url, period)
    _record(world, agency=world.district, kind=ActivityKind.INTERACTION)
    for n in range(3):
        AgencyFactory(parent=world.district, level="county")
        _record(world, n, kind=ActivityKind.TRAINING)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url, period)
    body = response.content.decode()
    assert f'data-agency="{world.district.pk}"' in body
    assert response.context["table"]["totals"]["counts"]["interaction"] == 2
    assert client.get(url).status_code == 200  # the previous quarter by default
    bad = client.get(url, {"agency": 999999, "quarter": 7})
    assert bad.status_code == 200 and bad.context["table"] is None
    client.force_login(world.district_chief)
    response = client.get(url, {"agency": world.city.pk, "year": 2025, "quarter": 2})
    assert response.context["table"] is None  # not the district's to read
