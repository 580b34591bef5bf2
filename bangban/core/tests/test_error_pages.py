"""The 500 and 503 pages (templates/error_standalone.html) render as the error handler renders
them: without a request context, and without the database, which may be what failed."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation

from bangban.core import health

# No django_db mark on purpose: pytest-django then fails any query, or any attempt to connect.


def _handle(error):
    request = RequestFactory().get("/cases/")
    try:
        raise error
    except type(error):
        return health.server_error(request)


@pytest.mark.parametrize("error, status, heading, message", [
    (ValueError("a bug"), 500, "Something went wrong", "could not complete your request"),
    (OperationalError("server closed the connection unexpectedly"), 503,
     "Temporarily unavailable", "cannot reach its database"),
])
def test_the_error_pages_render_without_the_database(error, status, heading, message):
    with translation.override("en"):
        response = _handle(error)
    html = response.content.decode()
    assert response.status_code == status
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert f"<title>{heading} · Bangban · Project approval assistance</title>" in html
    assert f'<div class="bb-error-page">\n      <h1 class="h4">{heading}</h1>' in html
    assert message in html
    assert '<link rel="stylesheet" href="/static/css/bangban.css">' in html
    assert "server closed" not in html and "a bug" not in html
