"""/healthz, /readyz and the 503 page when the database cannot be reached mid-request."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]
    assert reverse("healthz") == "/healthz"


def test_readyz_asks_the_database(client, monkeypatch):
    response = client.get(reverse("readyz"))
    assert (response.status_code, response.content) == (200, b"ok")

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get(reverse("readyz"))
    assert (response.status_code, response.content) == (503, b"database unavailable")


@pytest.fixture
def logged_in():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


def test_a_database_failure_during_a_request_is_a_503_page(logged_in, monkeypatch):
    # The session is read by a middleware before any view: the error page must cover that too.
    def server_gone(self):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(SessionStore, "load", server_gone)
    with translation.override("en"):
        response = logged_in.get(reverse("portal:workbench"), headers=EN)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"cannot reach its database" in response.content
    assert b"Traceback" not in response.content and b"administrator command" not in response.content


def test_other_errors_keep_the_500_page(logged_in, monkeypatch):
    def bug(self):
        raise ValueError("a bug")

    monkeypatch.setattr(SessionStore, "load", bug)
    with translation.override("en"):
        response = logged_in.get(reverse("portal:workbench"), headers=EN)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
