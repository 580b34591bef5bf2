from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.accounts.models import Agency, Role
from bangban.core.errors import NotAllowed
from bangban.projects import selectors, services
from bangban.projects.models import Category, InvestmentType, Project
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CompanyContactFactory,
    CompanyFactory,
    MembershipFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return AgencyFactory(name="韶关市政务服务中心")


@pytest.fixture
def district(city):
    return AgencyFactory(name="曲江区行政服务中心", parent=city, level=Agency.Level.COUNTY)


@pytest.fixture
def contact():
    return CompanyContactFactory()


def form_data(agency_, **overrides):
    data = {
        "name": "曲江新材料产业园一期", "code": "2026-440205-30-01-000123",
        "category": Category.GENERAL_INDUSTRIAL, "investment_type": InvestmentType.SOCIAL,
        "is_key_project": "on", "location": "韶关市曲江区白土镇", "total_investment": "35000.50",
        "floor_area": "68000", "description": "新建厂房及配套设施", "agency": agency_.pk,
    }
    data.update(overrides)
    return data


def fields(agency, **overrides):
    values = {
        "agency": agency, "name": "曲江新材料产业园一期", "category": Category.OTHER,
        "investment_type": InvestmentType.SOCIAL, "location": "曲江",
        "total_investment": Decimal("100"),
    }
    values.update(overrides)
    return values


def test_a_contact_adds_a_project_for_the_company(client, contact, district):
    client.force_login(contact.user)

    response = client.post(reverse("projects:create"), form_data(district))

    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert project.company == contact.company and project.agency == district
    assert project.is_key_project and project.total_investment == Decimal("35000.50")
    assert project.code == "2026-440205-30-01-000123"


def test_a_project_without_a_code_is_saved_with_none(client, contact, city):
    client.force_login(contact.user)
    client.post(reverse("projects:create"), form_data(city, code=""))
    client.post(reverse("projects:create"), form_data(city, code=" ", name="二期"))

    assert list(Project.objects.values_list("code", flat=True)) == [None, None]


@pytest.mark.parametrize("field, value", [
    ("code", "2026-4402-30-01-000123"),
    ("code", "ABCD-440205-30-01-000123"),
    ("total_investment", "-1"),
    ("floor_area", "-5"),
    ("category", "Z"),
    ("name", ""),
    ("location", ""),
    ("agency", ""),
])
def test_bad_project_data_is_refused_on_its_field(client, contact, city, field, value):
    client.force_login(contact.user)

    response = client.post(reverse("projects:create"), form_data(city, **{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Project.objects.exists()


def test_a_project_code_may_be_used_only_once(client, contact, city):
    ProjectFactory(code="2026-440205-30-01-000123")
    client.force_login(contact.user)

    response = client.post(reverse("projects:create"), form_data(city))

    assert "code" in response.context["form"].errors
    assert Project.objects.count() == 1


def test_a_forged_company_is_ignored_for_a_contact_of_one_company(client, contact, city):
    other = CompanyFactory()
    client.force_login(contact.user)

    client.post(reverse("projects:create"), form_data(city, company=other.pk))

    assert Project.objects.get().company == contact.company


def test_a_contact_of_two_companies_chooses_but_cannot_forge_a_third(client, contact, city):
    second = CompanyContactFactory(user=contact.user).company
    third = CompanyFactory()
    client.force_login(contact.user)

    forged = client.post(reverse("projects:create"), form_data(city, company=third.pk))
    chosen = client.post(reverse("projects:create"), form_data(city, company=second.pk))

    assert "company" in forged.context["form"].errors
    assert chosen.status_code == 302
    assert Project.objects.get().company == second


def test_only_contacts_or_staff_of_the_agency_may_create(city, district):
    company = CompanyFactory()
    stranger = CompanyContactFactory().user
    city_specialist = MembershipFactory(agency=city, role=Role.SPECIALIST).user
    district_specialist = MembershipFactory(agency=district, role=Role.SPECIALIST).user
    supervisor = MembershipFactory(agency=city, role=Role.SUPERVISOR).user

    for user in (stranger, supervisor):
        with pytest.raises(NotAllowed):
            services.create_project(by=user, company=company, **fields(district))
    with pytest.raises(NotAllowed):  # a district cannot file for the city
        services.create_project(by=district_specialist, company=company, **fields(city))
    project = services.create_project(by=city_specialist, company=company, **fields(district))
    assert project.company == company


def test_the_service_validates_the_whole_project_first(contact, city):
    with pytest.raises(ValidationError) as raised:
        services.create_project(by=contact.user, company=contact.company,
                                **fields(city, total_investment=Decimal("-3"), code="bad"))

    assert {"total_investment", "code"} <= set(raised.value.message_dict)
    assert not Project.objects.exists()


def test_a_contact_edits_the_project(client, contact, city):
    project = ProjectFactory(company=contact.company, agency=city)
    client.force_login(contact.user)

    response = client.post(reverse("projects:edit", args=[project.pk]),
                           form_data(city, name="改名后的项目", is_key_project=""))

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "改名后的项目" and not project.is_key_project


def test_another_companys_project_cannot_be_seen_or_edited(client, contact, city):
    project = ProjectFactory(agency=city)
    client.force_login(contact.user)

    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    response = client.post(reverse("projects:edit", args=[project.pk]),
                           form_data(city, name="篡改"))
    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        services.update_project(project=project, by=contact.user, name="篡改")
    project.refresh_from_db()
    assert project.name != "篡改"


def test_a_supervisor_reads_but_cannot_edit(client, city):
    project = ProjectFactory(agency=city)
    supervisor = MembershipFactory(agency=city, role=Role.SUPERVISOR).user
    client.force_login(supervisor)

    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403


def test_the_agency_cannot_change_once_an_application_exists(contact, city, district):
    project = ProjectFactory(company=contact.company, agency=city)
    CaseFactory(project=project, agency=city, company_contact=contact)

    with pytest.raises(ValidationError) as raised:
        services.update_project(project=project, by=contact.user, agency=district)

    assert "agency" in raised.value.message_dict
    services.update_project(project=project, by=contact.user, name="只改名称")


def test_staff_see_the_projects_of_their_agency_and_those_below(city, district):
    city_project = ProjectFactory(agency=city)
    district_project = ProjectFactory(agency=district)
    elsewhere = ProjectFactory()
    chief = MembershipFactory(agency=city, role=Role.CHIEF_SPECIALIST).user
    district_specialist = MembershipFactory(agency=district, role=Role.SPECIALIST).user

    assert set(selectors.projects_visible_to(chief)) == {city_project, district_project}
    assert set(selectors.projects_visible_to(district_specialist)) == {district_project}
    assert elsewhere not in selectors.projects_visible_to(chief)


def test_a_contact_sees_only_the_companys_projects(client, contact):
    own = ProjectFactory(company=contact.company, name="自己的项目")
    ProjectFactory(name="别人的项目")
    client.force_login(contact.user)

    page = client.get(reverse("projects:list")).content.decode()

    assert own.name in page and "别人的项目" not in page


def test_the_list_costs_the_same_queries_for_3_or_30_projects(
    client, contact, city, django_assert_num_queries
):
    ProjectFactory.create_batch(3, company=contact.company, agency=city)
    client.force_login(contact.user)
    url = reverse("projects:list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ProjectFactory.create_batch(27, company=contact.company, agency=city)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert len(response.context["page"].object_list) == 30


def test_a_project_added_from_the_application_form_returns_to_it(client, contact, city):
    client.force_login(contact.user)
    back = reverse("applications:new")

    response = client.post(reverse("projects:create") + f"?next={back}", form_data(city))

    assert response.url == f"{back}?project={Project.objects.get().pk}"


def test_an_outside_next_address_is_ignored(client, contact, city):
    client.force_login(contact.user)

    response = client.post(reverse("projects:create"),
                           {**form_data(city), "next": "https://evil.example.com/"})

    assert response.url == reverse("projects:detail", args=[Project.objects.get().pk])


def test_the_agency_choice_shows_districts_under_their_city(client, contact, city, district):
    client.force_login(contact.user)

    page = client.get(reverse("projects:create")).content.decode()

    assert page.index(city.name) < page.index(f"└ {district.name}")
