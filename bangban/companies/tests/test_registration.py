import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bangban.companies import services
from bangban.companies.models import Company, CompanyContact
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
    }
    data.update(overrides)
    return data


def test_registration_creates_user_company_and_representative_and_logs_in(client):
    response = client.post(URL, form_data(credit_code=f"  {VALID.lower()} "))

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    company = Company.objects.get()
    assert company.credit_code == VALID  # normalised to upper case, spaces gone
    assert company.legal_representative == "王强"
    contact = CompanyContact.objects.get()
    assert contact.company == company and contact.is_representative
    assert contact.user.username == "lihua" and contact.user.check_password("Qujiang-2026!")
    assert (contact.name, contact.phone, contact.email) == (
        "李华", "13800138000", "lihua@example.com"
    )
    assert client.session["_auth_user_id"] == str(contact.user.pk)


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
    assert not Company.objects.exists() and not User.objects.exists()


def test_missing_required_fields_are_each_named_and_nothing_is_created(client):
    response = client.post(URL, {})

    form = response.context["form"]
    for field in ("username", "password1", "password2", "full_name", "phone", "email",
                  "company_name", "credit_code", "legal_representative", "address"):
        assert field in form.errors, field
    assert "position" not in form.errors and "company_phone" not in form.errors
    assert not Company.objects.exists() and not User.objects.exists()


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
        services.register_company(**service_arguments())

    assert "credit_code" in raised.value.message_dict
    assert not User.objects.exists()


def service_arguments(**overrides):
    arguments = {
        "username": "lihua", "password": "Qujiang-2026!", "full_name": "李华",
        "phone": "13800138000", "email": "lihua@example.com", "company_name": "曲江新材料",
        "credit_code": VALID,
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
    assert not Company.objects.exists() and not User.objects.exists()


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
