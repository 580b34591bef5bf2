"""The audit log's page: who may read it, its filters and its constant query count."""

import datetime

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.audit.models import AuditEvent, AuditKind
from bangban.audit.services import record
from tests.factories import AgencyFactory, CompanyContactFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def shown_events(response):
    return [event.pk for event in response.context["page"].object_list]


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.CHIEF_SPECIALIST,
                                  Role.DEPARTMENT_REPRESENTATIVE, Role.EXPERT])
def test_other_staff_may_not_read_the_log(client, role):
    client.force_login(MembershipFactory(role=role).user)

    assert client.get(LIST).status_code == 403


def test_a_company_contact_may_not_read_the_log(client):
    client.force_login(CompanyContactFactory().user)

    assert client.get(LIST).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_administrator_sees_every_event_including_unknown_names(client):
    admin = MembershipFactory(role=Role.ADMINISTRATOR).user
    failed = record(AuditKind.LOGIN_FAILED, username="nobody")
    client.force_login(admin)

    assert failed.pk in shown_events(client.get(LIST))


def test_a_supervisor_sees_the_staff_of_their_agency_and_below_only(client):
    city = AgencyFactory()
    county = AgencyFactory(parent=city, level="county")
    supervisor = MembershipFactory(agency=city, role=Role.SUPERVISOR).user
    below = MembershipFactory(agency=county, role=Role.SPECIALIST).user
    elsewhere = MembershipFactory(role=Role.SPECIALIST).user
    seen = record(AuditKind.LOGIN_SUCCEEDED, user=below)
    unseen = record(AuditKind.LOGIN_SUCCEEDED, user=elsewhere)
    anonymous = record(AuditKind.LOGIN_FAILED, username="nobody")
    client.force_login(supervisor)

    shown = shown_events(client.get(LIST))

    assert seen.pk in shown
    assert unseen.pk not in shown and anonymous.pk not in shown


def test_filters_by_kind_user_and_days(client):
    admin = MembershipFactory(role=Role.ADMINISTRATOR).user
    alice = UserFactory(username="alice")
    old = record(AuditKind.EXPORT, user=alice, object_description="old.xlsx")
    QuerySet.update(AuditEvent.objects.filter(pk=old.pk),
                    at=timezone.now() - datetime.timedelta(days=10))
    export = record(AuditKind.EXPORT, user=alice, object_description="new.xlsx")
    record(AuditKind.LOGIN_SUCCEEDED, user=alice)
    record(AuditKind.EXPORT, user=UserFactory(username="bob"))
    client.force_login(admin)
    today = timezone.localdate()

    response = client.get(LIST, {"kind": "export", "user": "ali",
                                 "date_from": today - datetime.timedelta(days=1),
                                 "date_to": today})

    assert shown_events(response) == [export.pk]
    response = client.get(LIST, {"kind": "export", "user": "ali",
                                 "date_to": today - datetime.timedelta(days=5)})
    assert shown_events(response) == [old.pk]


def test_the_page_shows_the_events_in_english(client):
    client.force_login(MembershipFactory(role=Role.ADMINISTRATOR).user)
    record(AuditKind.LOGIN_FAILED, username="mallory")

    html = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Login failed" in html and "mallory" in html


def test_the_list_makes_the_same_number_of_queries_for_3_or_30_events(client):
    supervisor = MembershipFactory(role=Role.SUPERVISOR)
    client.force_login(supervisor.user)
    client.get(LIST)  # the session's first request does one-off work (session, caches)

    def queries_for(count):
        for _ in range(count):
            user = MembershipFactory(agency=supervisor.agency, role=Role.SPECIALIST).user
            record(AuditKind.LOGIN_SUCCEEDED, user=user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    few, shown_few = queries_for(3)
    many, shown_many = queries_for(27)
    assert shown_few < shown_many
    assert few == many
