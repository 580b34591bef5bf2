"""Every recorded kind: logins, failed logins, logouts, exports and refusals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.audit.models import AuditEvent, AuditKind
from bangban.audit.services import client_ip, record
from bangban.reporting.jobs import run_export_jobs
from bangban.reporting.models import ExportJob
from tests.factories import CaseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind))


def test_a_failed_login_is_recorded_with_the_typed_name_and_address(client):
    response = client.post(reverse("accounts:login"),
                           {"username": "no-such-user", "password": "wrong"},
                           REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200  # the form again, with its error
    [event] = events(AuditKind.LOGIN_FAILED)
    assert event.username == "no-such-user"
    assert event.user is None
    assert event.client_ip == "203.0.113.7"
    assert event.path == reverse("accounts:login")
    assert "wrong" not in str(event.details)


def test_a_login_and_a_logout_are_recorded_for_the_user(client):
    user = UserFactory()

    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("accounts:logout"))

    [login] = events(AuditKind.LOGIN_SUCCEEDED)
    [logout] = events(AuditKind.LOGOUT)
    assert login.user == user and login.username == user.username
    assert logout.user == user
    assert not events(AuditKind.LOGIN_FAILED)


def test_a_permission_denied_is_recorded_with_the_path_and_user(client):
    user = UserFactory()  # no role: may not read the audit log
    client.force_login(user)

    response = client.get(reverse("audit:list"))

    assert response.status_code == 403
    [event] = events(AuditKind.PERMISSION_DENIED)
    assert event.user == user
    assert event.path == reverse("audit:list")
    assert event.details["method"] == "GET"


def test_a_403_without_an_exception_is_recorded_too():
    """A CSRF refusal is a 403 response no view raised."""
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    [event] = events(AuditKind.PERMISSION_DENIED)
    assert event.user is None and event.path == reverse("accounts:login")


def test_pages_that_are_allowed_record_nothing(client):
    client.force_login(MembershipFactory(role=Role.SUPERVISOR).user)

    assert client.get(reverse("audit:list")).status_code == 200
    assert not events(AuditKind.PERMISSION_DENIED)


def test_a_document_zip_of_a_case_is_recorded_as_an_export(client):
    case = CaseFactory(in_progress=True)
    client.force_login(case.specialist)

    response = client.get(reverse("documents:case_zip", args=[case.pk]))
    b"".join(response.streaming_content)

    [event] = events(AuditKind.EXPORT)
    assert event.user == case.specialist
    assert event.object_description == f"{case.number}.zip"
    assert event.details["case"] == case.number


def test_a_printed_form_is_recorded_as_an_export(client):
    case = CaseFactory(in_progress=True)
    client.force_login(case.specialist)

    response = client.get(reverse("printing:case_form", args=[case.pk, "application", "docx"]))

    assert response.status_code == 200
    [event] = events(AuditKind.EXPORT)
    assert event.object_description.endswith(".docx")
    assert event.path == reverse("printing:case_form", args=[case.pk, "application", "docx"])


def test_an_excel_export_of_a_table_is_recorded(client):
    user = MembershipFactory(role=Role.SUPERVISOR).user
    client.force_login(user)

    response = client.get(reverse("reporting:export"), {"table": "cases"})

    assert response.status_code == 200
    b"".join(response.streaming_content)
    [event] = events(AuditKind.EXPORT)
    assert event.user == user
    assert event.details["table"] == "cases"
    assert event.object_description.endswith(".xlsx")


def test_downloading_a_queued_export_is_recorded_once_the_file_leaves(client, settings):
    settings.EXPORT_INLINE_ROWS = 0
    chief = MembershipFactory(role=Role.CHIEF_SPECIALIST)
    CaseFactory(agency=chief.agency, in_progress=True)
    client.force_login(chief.user)
    client.get(reverse("reporting:export"), {"table": "cases"})
    job = ExportJob.objects.get()
    run_export_jobs()
    assert not events(AuditKind.EXPORT)  # queued and written, but not taken yet

    response = client.get(reverse("reporting:download", args=[job.pk]))
    b"".join(response.streaming_content)

    [event] = events(AuditKind.EXPORT)
    assert (event.user, event.details["job"], event.details["table"]) == (
        chief.user, job.pk, "cases")


def test_the_export_ledger_command_is_recorded(tmp_path):
    out = tmp_path / "ledger.xlsx"

    call_command("export_ledger", "--out", str(out), stdout=open(tmp_path / "log", "w"))

    [event] = events(AuditKind.EXPORT)
    assert event.user is None
    assert event.object_description == str(out)
    assert event.details["command"] == "export_ledger"


def test_the_client_address_comes_from_the_configured_proxy_header(settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    request = RequestFactory().get("/", HTTP_X_REAL_IP="198.51.100.4", REMOTE_ADDR="10.0.0.1")

    assert client_ip(request) == "198.51.100.4"


def test_the_first_address_of_a_forwarded_for_list_is_the_client(settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.1")

    assert client_ip(request) == "198.51.100.4"


def test_an_unreadable_address_is_stored_as_none():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")

    assert client_ip(request) is None


def test_events_cannot_be_changed_or_deleted():
    event = record(AuditKind.LOGIN_FAILED, username="someone")

    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(username="else")
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "someone"


def test_an_event_outlives_its_user():
    user = UserFactory()
    event = record(AuditKind.LOGIN_SUCCEEDED, user=user)

    user.delete()

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.user is None and event.username == user.username
    assert event.at <= timezone.now() + datetime.timedelta(seconds=1)
