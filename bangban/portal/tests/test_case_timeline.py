"""The case timeline page: who sees it, what it reads, and its constant query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import ItemState
from bangban.portal.selectors import actual_dates
from tests.factories import CaseFactory, CaseItemFactory, CompanyContactFactory

pytestmark = pytest.mark.django_db


def url(case):
    return reverse("portal:case_timeline", args=[case.pk])


def published_case(items=2, **kwargs):
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now(), **kwargs)
    today = timezone.localdate()
    previous = None
    for position in range(items):
        item = CaseItemFactory(case=case, position=position, planned_start=today,
                               planned_end=today + datetime.timedelta(days=7))
        if previous is not None:
            item.prerequisites.add(previous)
        previous = item
    return case


def test_the_company_sees_its_cases_timeline_with_the_critical_path(client):
    case = published_case(items=3)
    client.force_login(case.company_contact.user)

    response = client.get(url(case))

    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert len(timeline.bars) == 3 and all(bar.critical for bar in timeline.bars)
    html = response.content.decode()
    assert html.count("data-critical") == 3
    assert f'data-target="{case.target_completion_date:%Y-%m-%d}"' in html


def test_a_colleague_of_the_same_company_sees_it_too(client):
    case = published_case()
    colleague = CompanyContactFactory(company=case.project.company, is_representative=False)
    client.force_login(colleague.user)

    assert client.get(url(case)).status_code == 200


def test_another_companys_contact_gets_404(client):
    case = published_case()
    client.force_login(CompanyContactFactory().user)

    assert client.get(url(case)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(url(published_case()))

    assert response.status_code == 302 and "login" in response.url


def test_the_company_sees_no_items_before_the_plan_is_published(client):
    case = published_case()
    case.plan_published_at = None
    case.save()
    client.force_login(case.company_contact.user)

    response = client.get(url(case))

    assert response.context["timeline"].bars == []
    assert b"data-timeline-empty" in response.content


def test_the_specialist_sees_the_timeline_before_publication(client):
    case = published_case()
    case.plan_published_at = None
    case.save()
    client.force_login(case.specialist)

    assert len(client.get(url(case)).context["timeline"].bars) == 2


def test_actual_dates_come_from_the_ledger():
    case = published_case(items=1)
    item = case.items.get()
    actor = case.company_contact.user
    for from_state, to_state in [
        ("", ""), (ItemState.PLANNED, ItemState.PLANNED),            # plan edits: ignored
        (ItemState.PLANNED, ItemState.PREPARING),                     # work begins
        (ItemState.PREPARING, ItemState.REVIEWED),
        (ItemState.ACCEPTED, ItemState.APPROVED),                     # decided
    ]:
        LedgerEntry.objects.create(case=case, item=item, actor=actor, actor_role="specialist",
                                   action="x", from_state=from_state, to_state=to_state)

    today = timezone.localdate()
    assert actual_dates(case) == {item.pk: (today, today)}


def queries_for(client, case):
    client.force_login(case.company_contact.user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(case)).status_code == 200
    return len(captured)


def test_the_timeline_costs_the_same_queries_for_2_or_12_items(client):
    queries_for(client, published_case(items=2))  # loads the working-day calendar once
    small = queries_for(client, published_case(items=2))
    large = queries_for(client, published_case(items=12))

    assert small == large


def test_the_workbench_links_a_published_cases_timeline(client):
    case = published_case()
    client.force_login(case.company_contact.user)

    response = client.get(reverse("portal:workbench"))

    assert url(case).encode() in response.content
