"""Forms outside the case page: the feedback form, the supervision notice, the contact card
and the directory."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.printing.tests.conftest import contains, docx_text, pdf_text, xlsx_text
from bangban.problems import services as problem_services
from bangban.public.tests.factories import ContactCardFactory
from bangban.supervision.models import SupervisionNotice
from tests.factories import AgencyFactory, DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url, headers=EN)


@pytest.fixture
def problem(world):
    return problem_services.raise_problem(
        case=world.case, by=world.applicant, item=world.item, title="施工许可证办理受阻",
        description="消防设计审查意见迟迟未出具",
        requested_outcome="请协调住建部门尽快出具审查意见",
    )


def test_feedback_form_pdf_and_docx(client, world, problem):
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = _get(client, world.applicant, reverse("printing:feedback",
                                                         args=[problem.pk, fmt]))
        assert response.status_code == 200
        text = read(response.content)
        contains(text, "Feedback form", "what is wrong", "what the company wants",
                 "department's answer", "Company (seal)")
        contains(text, problem.number, world.case.project.name, "施工许可证办理受阻",
                 "消防设计审查意见迟迟未出具", "请协调住建部门尽快出具审查意见",
                 "区住房和城乡建设局", "建筑工程施工许可证核发")


def test_feedback_form_is_404_for_another_company(client, world, problem):
    for fmt in ("pdf", "docx"):
        url = reverse("printing:feedback", args=[problem.pk, fmt])
        assert _get(client, world.other_company, url).status_code == 404


@pytest.fixture
def notice(world):
    return SupervisionNotice.objects.create(
        number="DB-2026-0007", agency=world.case.agency, case=world.case, item=world.item,
        department=world.item.department, item_due_date=datetime.date(2026, 3, 11),
        issued_at=timezone.now(), issued_by=world.chief,
        response_due=datetime.date(2026, 3, 16),
    )


def test_supervision_notice_pdf(client, world, notice):
    response = _get(client, world.department,
                    reverse("printing:supervision_notice", args=[notice.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    contains(text, "Supervision notice", "reply due by", "item due date")
    contains(text, "DB-2026-0007", "区住房和城乡建设局", "建筑工程施工许可证核发", "2026-03-11",
             "2026-03-16", world.case.project.name)


def test_supervision_notice_is_404_for_the_company(client, world, notice):
    url = reverse("printing:supervision_notice", args=[notice.pk])
    for user in (world.applicant, world.outsider):
        assert _get(client, user, url).status_code == 404


def test_supervision_page_links_its_pdf(client, world, notice):
    page = _get(client, world.chief, reverse("supervision:detail", args=[notice.pk]))
    assert reverse("printing:supervision_notice", args=[notice.pk]) in page.content.decode()


def test_contact_card_pdf_shows_the_card_and_its_public_address(client):
    card = ContactCardFactory(name="王帮办", phone="13700001111", email="wang@example.cn")
    response = _get(client, None, reverse("printing:contact_card", args=[card.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    contains(text, "Contact card", "Scan to open this card", "王帮办", "13700001111",
             "wang@example.cn", "全流程帮办代办",
             "http://testserver" + reverse("public:card", args=[card.pk]))


def test_contact_card_embeds_the_qr_code_as_svg(client, monkeypatch):
    card = ContactCardFactory()
    rendered = {}

    def spy(template_name, context, *, request=None):
        rendered.update(context)
        return b"%PDF-1.7 spy"

    monkeypatch.setattr("bangban.printing.views.render_pdf", spy)
    _get(client, None, reverse("printing:contact_card", args=[card.pk]))
    assert rendered["qr_svg"].startswith("<svg")
    assert rendered["card_url"].endswith(reverse("public:card", args=[card.pk]))


def test_an_unpublished_card_is_404_for_others(client):
    card = ContactCardFactory(is_published=False)
    assert _get(client, None, reverse("printing:contact_card", args=[card.pk])
                ).status_code == 404
    assert _get(client, card.user, reverse("printing:contact_card", args=[card.pk])
                ).status_code == 200


@pytest.fixture
def directory():
    agency = AgencyFactory(name="湘江新区政务服务中心")
    chief = ContactCardFactory(name="赵首席", phone="13700002222",
                               membership__agency=agency,
                               membership__role=Role.CHIEF_SPECIALIST)
    specialist = ContactCardFactory(name="钱专员", phone="13700003333",
                                    email="qian@example.cn", membership__agency=agency)
    department = DepartmentFactory(agency=agency, name="产业促进局")
    representative = ContactCardFactory(name="孙代表", phone="13700004444",
                                        membership=False)
    MembershipFactory(user=representative.user, agency=agency,
                      role=Role.DEPARTMENT_REPRESENTATIVE, department=department)
    return agency, chief, specialist


def test_directory_pdf_and_xlsx_have_hunan_columns(client, directory):
    agency, chief, _specialist = directory
    for fmt, read in (("pdf", pdf_text), ("xlsx", xlsx_text)):
        response = _get(client, chief.user, reverse("printing:directory", args=[fmt]))
        assert response.status_code == 200
        text = read(response.content)
        contains(text, "Directory of chief responsible persons and specialists", "No.",
                 "Responsible unit", "Chief responsible person",
                 "Specialists, phones and e-mails")
        contains(text, "湘江新区政务服务中心", "赵首席13700002222",
                 "钱专员13700003333qian@example.cn", "产业促进局", "孙代表13700004444")


def test_directory_is_for_the_service_side(client, world, directory):
    for fmt in ("pdf", "xlsx"):
        url = reverse("printing:directory", args=[fmt])
        assert _get(client, world.applicant, url).status_code == 404
    page = _get(client, world.applicant, reverse("public:directory")).content.decode()
    assert reverse("printing:directory", args=["pdf"]) not in page
    page = _get(client, world.chief, reverse("public:directory")).content.decode()
    assert reverse("printing:directory", args=["pdf"]) in page


def test_directory_costs_the_same_queries_whatever_its_length(client, directory):
    agency, chief, _specialist = directory
    client.force_login(chief.user)
    url = reverse("printing:directory", args=["xlsx"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for _n in range(3):
        card = ContactCardFactory(membership=False)
        MembershipFactory(user=card.user, agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                          department=DepartmentFactory(agency=agency))
    assert count() == before


def test_card_edit_page_and_problem_page_link_their_pdf(client, world, problem):
    card = ContactCardFactory()
    page = _get(client, card.user, reverse("public:edit_card")).content.decode()
    assert reverse("printing:contact_card", args=[card.pk]) in page
    page = _get(client, world.applicant, reverse("problems:detail", args=[problem.pk]))
    assert reverse("printing:feedback", args=[problem.pk, "docx"]) in page.content.decode()
