import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bangban.api.models import ApiToken
from bangban.api.scopes import APPROVAL_INBOUND, READ
from bangban.api.services import LAST_USED_RESOLUTION, revoke_api_token
from bangban.api.tests.conftest import client_for, token_key
from bangban.audit.models import AuditEvent, AuditKind

pytestmark = pytest.mark.django_db


def _bearer(key):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_anonymous_requests_are_refused_with_json(world):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.",
                               "code": "not_authenticated"}
    assert response["WWW-Authenticate"] == "Bearer"


def test_refusals_come_in_the_request_language(world):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_a_token_acts_as_its_user_and_records_its_use(world):
    key = token_key(world.specialist)
    response = _bearer(key).get("/api/v1/cases/")
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["results"]] == [world.case.number]
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert token.key_hash != key and key not in token.key_hash
    assert key.startswith(token.prefix)


def test_last_use_is_written_at_most_once_a_minute(world):
    key = token_key(world.specialist)
    _bearer(key).get("/api/v1/cases/")
    first = ApiToken.objects.get().last_used_at
    _bearer(key).get("/api/v1/cases/")
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - LAST_USED_RESOLUTION)
    _bearer(key).get("/api/v1/cases/")
    assert ApiToken.objects.get().last_used_at > first - LAST_USED_RESOLUTION


@pytest.mark.parametrize("header, message", [
    ("Bearer bb_not-a-key", "Invalid token."),
    ("Bearer", "Send the header as “Authorization: Bearer <key>”."),
    ("Bearer two parts", "Send the header as “Authorization: Bearer <key>”."),
])
def test_a_bad_token_is_refused(world, header, message):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == message


def test_a_revoked_token_is_refused(world):
    key = token_key(world.specialist)
    revoke_api_token(token=ApiToken.objects.get())
    response = _bearer(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has been revoked."


def test_an_expired_token_is_refused(world):
    key = token_key(world.specialist,
                    expires_at=timezone.now() + datetime.timedelta(minutes=5))
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _bearer(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired."


def test_the_token_of_a_deactivated_user_is_refused(world):
    key = token_key(world.specialist)
    world.specialist.is_active = False
    world.specialist.save()
    assert _bearer(key).get("/api/v1/cases/").status_code == 401


def test_a_read_token_cannot_write(world):
    client = client_for(world.department, scopes=(READ,))
    assert client.get(f"/api/v1/items/{world.item.pk}/").status_code == 200
    response = client.post(f"/api/v1/items/{world.item.pk}/actions/accept/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "This token lacks the scope “write”.",
                               "code": "permission_denied"}
    world.item.refresh_from_db()
    assert world.item.state == "pushed"
    # The audit log names the token's user, whom DRF authenticated inside the view.
    assert AuditEvent.objects.filter(kind=AuditKind.PERMISSION_DENIED, user=world.department,
                                     path=f"/api/v1/items/{world.item.pk}/actions/accept/").exists()


def test_an_inbound_token_cannot_read(world):
    response = client_for(world.department, scopes=(APPROVAL_INBOUND,)).get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["detail"] == "This token lacks the scope “read”."


def test_a_write_token_cannot_post_inbound_events(world):
    response = client_for(world.department).post("/api/v1/inbound/item-events/", {
        "project_code": world.case.project.code, "matter_code": world.item.matter.code,
        "event": "accepted"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This token lacks the scope “approval:inbound”."


def test_the_browser_session_works_and_needs_csrf_to_write(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.department)
    assert client.get("/api/v1/cases/").status_code == 200
    url = f"/api/v1/items/{world.item.pk}/actions/accept/"
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/api/v1/cases/")  # any page: the session has a CSRF cookie from the login
    csrf = client.cookies.get("csrftoken")
    if csrf is None:
        client.get("/accounts/login/")
        csrf = client.cookies["csrftoken"]
    accepted = client.post(url, {}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf.value)
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
