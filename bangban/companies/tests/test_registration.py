import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from bangban.companies import services
from bangban.companies.models import Company, CompanyContact, RegistrationRequest
from bangban.notifications.models import Channel, OutboxMessage
from tests.factories import CompanyContactFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"
URL = reverse("companies:register")
User = get_user_model()


def form_data(**overrides):
    data = {
        "username": "lihua", "password1": "Qujiang-2026!", "password2": "Qujiang-2026!",
        "full_name": "李华", "phone": "13800138000", "email": "lihua@example.com",
        "position": "项目经理", "company_name": "韶关曲江新材料有限公司", "credit_code": VALID,
        "legal_representative": "王强", "address": "韶关市曲江区马坝镇", "company_phone": "",
        "channel": "sms",
    }
    data.update(overrides)
    return data


def last_code():
    message = OutboxMessage.objects.order_by("-pk").first()
    return re.search(r"(?<!\d)\d{6}(?!\d)", message.body).group(0)


def verify_url(registration):
    return reverse("companies:verify_registration", args=[registration.token])


def start(client, **overrides):
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 302, response.context["form"].errors
    registration = RegistrationRequest.objects.order_by("-pk").first()
    assert response.url == verify_url(registration)
    return registration


def nothing_created():
    return not Company.objects.exists() and not User.objects.exists()


def test_registration_sends_a_code_and_the_code_creates_company_and_representative(client):
    registration = start(client, credit_code=f"  {VALID.lower()} ")

    assert nothing_created()
    [message] = OutboxMessage.objects.all()
    assert (message.channel, message.address, message.event) == (
        Channel.SMS, "13800138000", "registration_code"
    )
    code = last_code()
    assert code not in registration.code_hash and "Qujiang" not in registration.password_hash
    page = client.get(verify_url(registration))
    assert "138****8000" in page.content.decode()

    response = client.post(verify_url(registration), {"code": code})

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    company = Company.objects.get()
    assert company.credit_code == VALID  # normalised to upper case, spaces gone
    assert company.legal_representative == "王强"
    contact = CompanyContact.objects.get()
    assert contact.company == company and contact.is_representative and contact.is_administrator
    assert contact.user.username == "lihua" and contact.user.check_password("Qujiang-2026!")
    assert (contact.name, contact.phone, contact.email) == (
        "李华", "13800138000", "lihua@example.com"
    )
    assert client.session["_auth_user_id"] == str(contact.user.pk)
    registration.refresh_from_db()
    assert registration.completed_at and registration.contact == contact


def test_the_code_can_go_by_e_mail(client):
    registration = start(client, channel="email")

    [message] = OutboxMessage.objects.all()
    assert (message.channel, message.address) == (Channel.EMAIL, "lihua@example.com")
    assert client.post(verify_url(registration), {"code": last_code()}).status_code == 302
    assert Company.objects.count() == 1


def test_a_code_by_sms_needs_a_mobile_number(client):
    response = client.post(URL, form_data(phone="0751-6668888"))

    assert "phone" in response.context["form"].errors
    assert not RegistrationRequest.objects.exists() and not OutboxMessage.objects.exists()


def test_a_wrong_code_is_counted_and_says_how_many_attempts_are_left(client):
    registration = start(client)
    wrong = "000000" if last_code() != "000000" else "111111"

    response = client.post(verify_url(registration), {"code": wrong},
                           headers={"accept-language": "en"})

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["code"]
    assert error.code == "wrong"
    assert f"{services.MAX_WRONG_CODES - 1} attempts left" in response.content.decode()
    registration.refresh_from_db()
    assert registration.attempts == 1
    assert nothing_created()


def test_too_many_wrong_codes_cancel_the_registration(client):
    registration = start(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.MAX_WRONG_CODES - 1):
        client.post(verify_url(registration), {"code": wrong})

    last = client.post(verify_url(registration), {"code": wrong})
    right_too_late = client.post(verify_url(registration), {"code": code})

    assert last.status_code == 400 and last.context["reason"] == "locked"
    assert right_too_late.status_code == 400 and right_too_late.context["reason"] == "locked"
    assert nothing_created()


def test_an_expired_code_is_refused_and_a_new_one_works(client):
    registration = start(client)
    old_code = last_code()
    past = timezone.now() - timedelta(minutes=1)
    RegistrationRequest.objects.filter(pk=registration.pk).update(
        code_expires_at=past, last_sent_at=past - services.RESEND_AFTER
    )

    expired = client.post(verify_url(registration), {"code": old_code})
    resent = client.post(reverse("companies:resend_registration_code",
                                 args=[registration.token]))
    new_code = last_code()

    [error] = expired.context["form"].errors.as_data()["code"]
    assert error.code == "expired"
    assert resent.status_code == 302 and OutboxMessage.objects.count() == 2
    if new_code != old_code:
        assert client.post(verify_url(registration), {"code": old_code}).status_code == 200
    assert client.post(verify_url(registration), {"code": new_code}).status_code == 302
    assert Company.objects.count() == 1


def test_a_new_code_cannot_be_asked_for_at_once(client):
    registration = start(client)

    response = client.post(reverse("companies:resend_registration_code",
                                   args=[registration.token]), follow=True,
                           headers={"accept-language": "en"})

    assert "Please wait" in response.content.decode()
    assert OutboxMessage.objects.count() == 1


def test_at_most_max_codes_are_sent_for_one_registration():
    registration = services.start_registration(**service_arguments())
    for _ in range(services.MAX_CODES - 1):
        RegistrationRequest.objects.filter(pk=registration.pk).update(
            last_sent_at=timezone.now() - services.RESEND_AFTER
        )
        services.resend_registration_code(token=registration.token)
    RegistrationRequest.objects.filter(pk=registration.pk).update(
        last_sent_at=timezone.now() - services.RESEND_AFTER
    )

    with pytest.raises(services.ResendTooSoon):
        services.resend_registration_code(token=registration.token)
    assert OutboxMessage.objects.count() == services.MAX_CODES


def test_one_address_gets_a_limited_number_of_codes_per_hour():
    for number in range(services.MAX_CODES_PER_ADDRESS_PER_HOUR):
        services.start_registration(**service_arguments(username=f"u{number}"))

    with pytest.raises(services.ResendTooSoon):
        services.start_registration(**service_arguments(username="one-more"))
    assert OutboxMessage.objects.count() == services.MAX_CODES_PER_ADDRESS_PER_HOUR


def test_a_registration_left_too_long_is_closed(client):
    registration = start(client)
    RegistrationRequest.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - services.REGISTRATION_VALID_FOR - timedelta(minutes=1)
    )

    response = client.post(verify_url(registration), {"code": last_code()})

    assert response.status_code == 400 and response.context["reason"] == "expired"
    assert nothing_created()


def test_a_completed_registration_cannot_be_used_again(client):
    registration = start(client)
    code = last_code()
    client.post(verify_url(registration), {"code": code})
    client.logout()

    again = client.post(verify_url(registration), {"code": code})
    page = client.get(verify_url(registration))

    assert again.status_code == 400 and again.context["reason"] == "completed"
    assert page.status_code == 400
    assert Company.objects.count() == 1 and User.objects.count() == 1


def test_an_unknown_registration_is_not_found(client):
    assert client.get(reverse("companies:verify_registration", args=["nope"])).status_code == 404
    assert client.post(reverse("companies:resend_registration_code",
                               args=["nope"])).status_code == 404


def test_a_company_registered_while_the_code_was_on_its_way_is_reported(client):
    registration = start(client)
    CompanyFactory(credit_code=VALID)

    response = client.post(verify_url(registration), {"code": last_code()})

    assert response.status_code == 200
    assert "credit_code" in str(response.context["form"].errors) or response.context[
        "form"].non_field_errors()
    assert Company.objects.count() == 1 and not User.objects.exists()


@pytest.mark.parametrize(
    "code, kind, shown",
    [
        (VALID[:-1], "length", "17"),                   # too short: says how long it is
        (VALID + "1", "length", "19"),                  # too long
        (VALID[:9] + "I" + VALID[10:], "alphabet", "I"),  # a letter the standard leaves out
        (VALID[:9] + "*" + VALID[10:], "alphabet", "*"),
        (VALID[:3] + "A" + VALID[4:], "division", ""),   # the region code must be digits
        (VALID[:-1] + "4", "check", ""),                # wrong check character
        (VALID[:5] + "2" + VALID[6:], "check", ""),     # a typo in the body
    ],
)
def test_each_bad_credit_code_gets_its_own_message(client, code, kind, shown):
    response = client.post(URL, form_data(credit_code=code))

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["credit_code"]
    assert error.code == kind
    with translation.override(settings.LANGUAGE_CODE):  # the page's language
        message = " ".join(error.messages)
    assert shown in message
    assert escape(message) in response.content.decode()
    assert nothing_created() and not RegistrationRequest.objects.exists()


def test_missing_required_fields_are_each_named_and_nothing_is_created(client):
    response = client.post(URL, {})

    form = response.context["form"]
    for field in ("username", "password1", "password2", "full_name", "phone", "email",
                  "company_name", "credit_code", "legal_representative", "address"):
        assert field in form.errors, field
    assert "position" not in form.errors and "company_phone" not in form.errors
    assert nothing_created() and not RegistrationRequest.objects.exists()


def test_an_already_registered_company_is_told_to_ask_for_an_invitation(client):
    CompanyFactory(credit_code=VALID, name="已注册公司")

    response = client.post(URL, form_data(credit_code=VALID.lower()))

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["credit_code"]
    assert error.code == "duplicate"
    with translation.override(settings.LANGUAGE_CODE):
        message = services.duplicate_company_message()
    assert escape(message) in response.content.decode()
    assert Company.objects.count() == 1
    assert not User.objects.exists()


def test_the_service_refuses_a_duplicate_company_too():
    CompanyFactory(credit_code=VALID)

    with pytest.raises(ValidationError) as raised:
        services.start_registration(**service_arguments())

    assert "credit_code" in raised.value.message_dict
    assert not User.objects.exists()


def service_arguments(**overrides):
    arguments = {
        "username": "lihua", "password": "Qujiang-2026!", "full_name": "李华",
        "phone": "13800138000", "email": "lihua@example.com", "company_name": "曲江新材料",
        "credit_code": VALID, "channel": "sms",
    }
    arguments.update(overrides)
    return arguments


def test_passwords_that_differ_are_refused(client):
    response = client.post(URL, form_data(password2="Something-else-1"))

    assert "password2" in response.context["form"].errors
    assert not Company.objects.exists()


@pytest.mark.parametrize("password", ["12345678", "password", "short1"])
def test_weak_passwords_are_refused_by_djangos_validators(client, password):
    response = client.post(URL, form_data(password1=password, password2=password))

    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert nothing_created() and not RegistrationRequest.objects.exists()


def test_a_taken_user_name_is_refused_and_the_company_is_not_created(client):
    UserFactory(username="lihua")

    response = client.post(URL, form_data())

    assert "username" in response.context["form"].errors
    assert not Company.objects.exists()


def test_a_bad_phone_number_is_refused(client):
    response = client.post(URL, form_data(phone="call me"))

    assert "phone" in response.context["form"].errors


def test_the_registration_page_renders_for_anonymous_visitors(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert b'name="credit_code"' in response.content


def test_a_logged_in_user_is_sent_to_the_workbench(client):
    client.force_login(CompanyContactFactory().user)

    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
