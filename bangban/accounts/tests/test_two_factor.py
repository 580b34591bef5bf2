import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bangban.accounts import services
from bangban.core.errors import NotAllowed
from tests.factories import CompanyContactFactory, MembershipFactory, UserFactory

FACTORY_PASSWORD = "pass-1234-word"


def code_for(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def log_in(client, user):
    return client.post(reverse("accounts:login"),
                       {"username": user.username, "password": FACTORY_PASSWORD})


@pytest.mark.django_db
def test_a_staff_member_enrols_with_the_qr_code_and_a_first_code(client):
    user = MembershipFactory().user
    client.force_login(user)
    page = client.get(reverse("accounts:two_factor_setup"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="totp-qr"><svg' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert "token" in wrong.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_after_enrolment_the_login_asks_for_a_code(client):
    user = MembershipFactory().user
    device = confirmed_device(user)
    response = log_in(client, user)
    assert response.status_code == 302
    # Logged in with the password only: every page leads to the code first.
    workbench = client.get(reverse("portal:workbench"))
    assert workbench.status_code == 302
    assert workbench.url.startswith(reverse("accounts:two_factor_verify"))

    wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "123456"})
    assert "token" in wrong.context["form"].errors
    assert client.get(reverse("portal:workbench")).status_code == 302
    # A wrong code makes the device wait a moment before the next (django-otp's throttling).
    device.refresh_from_db()
    device.throttle_reset()

    right = client.post(reverse("accounts:two_factor_verify") + "?next=/",
                        {"token": code_for(device), "next": "/"})
    assert right.status_code == 302
    assert client.get(reverse("portal:workbench")).status_code == 200


@pytest.mark.django_db
def test_an_unverified_session_is_refused_by_the_api(client):
    user = MembershipFactory().user
    confirmed_device(user)
    log_in(client, user)
    response = client.get("/api/v1/some-endpoint/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_users_without_a_device_are_not_asked(client):
    user = MembershipFactory().user
    log_in(client, user)
    assert client.get(reverse("portal:workbench")).status_code == 200


@pytest.mark.django_db
def test_compulsory_codes_send_staff_to_the_set_up_but_not_company_users(client, settings):
    settings.TOTP_REQUIRED_FOR_STAFF = True
    staff = MembershipFactory().user
    log_in(client, staff)
    response = client.get(reverse("portal:workbench"))
    assert response.url.startswith(reverse("accounts:two_factor_setup"))

    company_user = CompanyContactFactory().user
    other = client.__class__()
    log_in(other, company_user)
    assert other.get(reverse("portal:workbench")).status_code == 200


@pytest.mark.django_db
def test_company_users_cannot_enrol(client):
    user = CompanyContactFactory().user
    with pytest.raises(NotAllowed):
        services.totp_start_enrolment(user=user)


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_device(client, admin_client):
    user = MembershipFactory().user
    confirmed_device(user)
    admin_client.post(reverse("admin:accounts_user_changelist"),
                      {"action": "reset_one_time_codes", "_selected_action": [user.pk]})
    assert not TOTPDevice.objects.filter(user=user).exists()
    log_in(client, user)
    assert client.get(reverse("portal:workbench")).status_code == 200


@pytest.mark.django_db
def test_only_an_administrator_may_reset_devices():
    user = MembershipFactory().user
    confirmed_device(user)
    with pytest.raises(NotAllowed):
        services.totp_reset(user=user, by=UserFactory())
    assert TOTPDevice.objects.filter(user=user).exists()
