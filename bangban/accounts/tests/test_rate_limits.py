"""Registration is rate-limited per address (the login's limits are in test_login_security,
the public progress query's in bangban/public/tests/test_progress.py)."""

import pytest
from django.urls import reverse

from bangban.companies.models import RegistrationRequest
from bangban.companies.views import REGISTRATION_RATE


@pytest.mark.django_db
def test_registrations_from_one_address_get_429_after_the_limit(client):
    limit = int(REGISTRATION_RATE.split("/")[0])
    url = reverse("companies:register")
    for _ in range(limit):
        # Invalid on purpose (no fields): each try counts, none creates anything.
        assert client.post(url, {}).status_code == 200
    response = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Too many requests" in response.content.decode()
    assert not RegistrationRequest.objects.exists()


@pytest.mark.django_db
def test_another_address_may_still_register(client):
    limit = int(REGISTRATION_RATE.split("/")[0])
    url = reverse("companies:register")
    for _ in range(limit + 1):
        client.post(url, {})
    assert client.post(url, {}, REMOTE_ADDR="10.1.2.3").status_code == 200
