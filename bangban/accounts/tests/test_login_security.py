import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bangban.accounts import services
from bangban.accounts.views import LOGIN_RATE_PER_ADDRESS
from bangban.core.errors import NotAllowed
from tests.factories import CompanyContactFactory, MembershipFactory, UserFactory

FACTORY_PASSWORD = "pass-1234-word"
LOGIN = "/accounts/login/"


def attempt(client, username, password="wrong-Password-1", **extra):
    return client.post(LOGIN, {"username": username, "password": password},
                       HTTP_ACCEPT_LANGUAGE="en", **extra)


@pytest.mark.django_db
def test_the_fifth_failure_locks_the_login_with_a_message_saying_when_to_retry(client):
    user = UserFactory()
    for _ in range(4):
        response = attempt(client, user.username)
        assert response.status_code == 200
        assert "locked" not in response.content.decode()
    fifth = attempt(client, user.username)
    body = fifth.content.decode()
    assert fifth.status_code == 429
    assert 'data-testid="login-locked"' in body
    until = timezone.localtime(timezone.now() + datetime.timedelta(minutes=30))
    assert until.strftime("%Y-%m-%d %H:") in body
    # Even the right password is refused while locked.
    right = attempt(client, user.username, FACTORY_PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_is_per_user_name_and_address(client):
    user, other = UserFactory(), UserFactory()
    for _ in range(5):
        attempt(client, user.username)
    assert attempt(client, other.username, FACTORY_PASSWORD).status_code == 302
    elsewhere = attempt(client, user.username, FACTORY_PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_configured_time(client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert attempt(client, user.username, FACTORY_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_administrator_lifts_the_lockout(client):
    user = UserFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    for _ in range(5):
        attempt(client, user.username)
    assert services.unlock_login(username=user.username, by=admin) == 1
    assert attempt(client, user.username, FACTORY_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_only_an_administrator_may_lift_a_lockout():
    with pytest.raises(NotAllowed):
        services.unlock_login(username="someone", by=UserFactory())


@pytest.mark.django_db
def test_the_admin_action_and_the_axes_reset_command_unlock(admin_client, client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username)
    admin_client.post(reverse("admin:accounts_user_changelist"),
                      {"action": "unlock_login", "_selected_action": [user.pk]})
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    for _ in range(5):
        attempt(client, user.username)
    call_command("axes_reset_username", user.username)
    assert attempt(client, user.username, FACTORY_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_locked_api_login_gets_json(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.username)
    response = attempt(client, user.username, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert "retry_at" in response.json()
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_logins_from_one_address_are_rate_limited(client):
    limit = int(LOGIN_RATE_PER_ADDRESS.split("/")[0])
    for n in range(limit):
        attempt(client, f"nobody{n}")
    response = attempt(client, "nobody-else")
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


@pytest.mark.django_db
def test_a_successful_login_clears_the_failures(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.username)
    assert attempt(client, user.username, FACTORY_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert attempt(client, user.username).status_code == 200


@pytest.mark.django_db
def test_the_test_clients_login_still_works_without_a_request(client):
    user = UserFactory()
    assert client.login(username=user.username, password=FACTORY_PASSWORD)


@pytest.mark.django_db
def test_an_idle_session_ends_with_a_message_on_the_login_page(client, settings):
    user = MembershipFactory().user
    client.force_login(user)
    assert client.get(reverse("portal:workbench")).status_code == 200
    session = client.session
    session["bb_session_seen"] -= settings.SESSION_IDLE_SECONDS + 1
    session.save()
    response = client.get(reverse("portal:workbench"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Your session has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_session_ends_at_its_maximum_age_however_active(client, settings):
    client.force_login(UserFactory())
    client.get(reverse("portal:workbench"))
    session = client.session
    session["bb_session_started"] -= settings.SESSION_COOKIE_AGE + 1
    session.save()
    response = client.get(reverse("portal:workbench"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_active_session_continues(client):
    client.force_login(UserFactory())
    for _ in range(3):
        assert client.get(reverse("portal:workbench")).status_code == 200


def test_session_and_csrf_cookies_are_protected(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


@pytest.mark.django_db
def test_the_api_accepts_the_session_of_a_login_through_the_page(client):
    user = CompanyContactFactory().user
    assert attempt(client, user.username, FACTORY_PASSWORD).status_code == 302
    assert client.get("/api/v1/companies/", HTTP_ACCEPT="application/json").status_code == 200
