import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.companies import services
from bangban.companies.selectors import mask_phone
from bangban.core.errors import NotAllowed
from tests.factories import CompanyContactFactory, CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def representative(company):
    return CompanyContactFactory(company=company, is_representative=True, phone="13800001111")


@pytest.fixture
def colleague(company):
    return CompanyContactFactory(company=company, is_representative=False, phone="13900002222")


def detail(client, user, company):
    client.force_login(user)
    return client.get(reverse("companies:detail", args=[company.pk]))


def test_mask_phone_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0751-6661234") == "075*****1234"
    assert mask_phone("") == ""


def test_colleagues_see_each_others_numbers_masked_but_their_own_in_full(
    client, company, representative, colleague
):
    page = detail(client, colleague.user, company).content.decode()

    assert "139****2222" not in page and "13900002222" in page  # own number
    assert "138****1111" in page and "13800001111" not in page


def test_the_representative_and_staff_see_numbers_in_full(
    client, company, representative, colleague
):
    assert "13900002222" in detail(client, representative.user, company).content.decode()
    specialist = MembershipFactory(role=Role.SPECIALIST).user
    page = detail(client, specialist, company).content.decode()
    assert "13900002222" in page and "13800001111" in page


def test_another_companys_page_is_not_found(client, company, representative):
    stranger = CompanyContactFactory()

    assert detail(client, stranger.user, company).status_code == 404
    assert client.get(reverse("companies:edit", args=[company.pk])).status_code == 404


def test_my_company_leads_to_the_users_company(client, representative):
    client.force_login(representative.user)

    response = client.get(reverse("companies:detail"))

    assert response.status_code == 302
    assert response.url == reverse("companies:detail", args=[representative.company.pk])


def test_the_company_page_costs_the_same_queries_for_3_or_30_contacts(
    client, company, representative, django_assert_num_queries
):
    CompanyContactFactory.create_batch(2, company=company, is_representative=False)
    client.force_login(representative.user)
    url = reverse("companies:detail", args=[company.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    CompanyContactFactory.create_batch(27, company=company, is_representative=False)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert len(response.context["contacts"]) == 30


def test_the_representative_edits_the_company_but_not_its_credit_code(
    client, company, representative
):
    code = company.credit_code
    client.force_login(representative.user)

    response = client.post(reverse("companies:edit", args=[company.pk]), {
        "name": "新名称有限公司", "legal_representative": "李四", "address": "新地址",
        "phone": "0751-6661234", "credit_code": "91350100M000100Y43",
    })

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "新名称有限公司" and company.legal_representative == "李四"
    assert company.credit_code == code


def test_the_service_refuses_to_change_the_credit_code(company, representative):
    with pytest.raises(ValidationError) as raised:
        services.update_company(company=company, by=representative.user,
                                credit_code="91350100M000100Y43")

    assert "credit_code" in raised.value.message_dict


def test_an_ordinary_contact_cannot_edit_the_company(client, company, colleague):
    client.force_login(colleague.user)

    response = client.post(reverse("companies:edit", args=[company.pk]),
                           {"name": "改名", "legal_representative": "李四"})

    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        services.update_company(company=company, by=colleague.user, name="改名")
    company.refresh_from_db()
    assert company.name != "改名"


def test_editing_needs_the_legal_representative(client, company, representative):
    client.force_login(representative.user)

    response = client.post(reverse("companies:edit", args=[company.pk]),
                           {"name": "新名称", "legal_representative": ""})

    assert "legal_representative" in response.context["form"].errors


def test_anonymous_visitors_are_sent_to_log_in(client, company):
    response = client.get(reverse("companies:detail", args=[company.pk]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
