"""Phone and ID numbers: whole for the case's specialist, its agency's chief specialists and the
company; masked for departments, supervisors and anyone else — on pages and in exports."""

import io
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook

from bangban.accounts.models import Role
from bangban.audit.masking import (
    mask_id_number,
    mask_phone,
    needs_personal_data,
    sees_personal_data,
)
from bangban.cases.workflow import ItemState
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
MASKED = "139****5678"


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("0543-1234567") == "054*****4567"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == ""


def test_an_id_card_number_keeps_its_first_three_and_last_four_characters():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number("110105491231002") == "110********1002"
    assert mask_id_number("12345") == "*****"


def test_the_template_filters_mask_unless_the_viewer_needs_the_number():
    template = Template("{% load masking %}{{ p|masked_phone:full }} {{ i|masked_id_number:full }}")
    values = {"p": "13812341234", "i": "11010519491231002X"}

    assert template.render(Context({**values, "full": False})) == (
        "138****1234 110***********002X")
    assert template.render(Context({**values, "full": True})) == (
        "13812341234 11010519491231002X")


def test_only_the_specialist_the_chief_and_the_company_need_personal_data():
    assert needs_personal_data({Role.SPECIALIST})
    assert needs_personal_data({Role.CHIEF_SPECIALIST})
    assert needs_personal_data({Role.APPLICANT})
    for role in (Role.DEPARTMENT_REPRESENTATIVE, Role.SUPERVISOR, Role.EXPERT,
                 Role.ADMINISTRATOR):
        assert not needs_personal_data({role})
    assert not needs_personal_data(set())


@pytest.fixture
def world():
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now())
    case.company_contact.phone = PHONE
    case.company_contact.save()
    agency = case.agency
    MembershipFactory(user=case.specialist, agency=agency, role=Role.SPECIALIST)
    department = DepartmentFactory(agency=agency)
    CaseItemFactory(case=case, department=department, state=ItemState.PUSHED,
                    pushed_at=timezone.now())
    users = SimpleNamespace(
        applicant=case.company_contact.user,
        specialist=case.specialist,
        chief=MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=agency, role=Role.SUPERVISOR).user,
        department=MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=department).user,
        other_specialist=MembershipFactory(agency=agency, role=Role.SPECIALIST).user,
        outsider=UserFactory(),
    )
    return SimpleNamespace(case=case, users=users)


def case_page(client, user, case):
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["department", "supervisor"])
def test_the_case_page_shows_only_the_masked_number_to(client, world, role):
    html = case_page(client, getattr(world.users, role), world.case)

    assert MASKED in html
    assert PHONE not in html


@pytest.mark.parametrize("role", ["specialist", "chief", "applicant"])
def test_the_case_page_shows_the_number_in_full_to(client, world, role):
    html = case_page(client, getattr(world.users, role), world.case)

    assert PHONE in html
    assert MASKED not in html


def test_only_the_cases_own_specialist_counts_as_its_specialist(world):
    assert sees_personal_data(world.users.specialist, world.case)
    assert not sees_personal_data(world.users.other_specialist, world.case)
    assert not sees_personal_data(world.users.outsider, world.case)


def application_docx_text(client, user, case):
    client.force_login(user)
    response = client.get(
        reverse("printing:case_form", args=[case.pk, "application", "docx"]))
    assert response.status_code == 200
    document = WordDocument(io.BytesIO(response.content))
    return "\n".join(cell.text for table in document.tables for row in table.rows
                     for cell in row.cells)


def test_an_exported_form_follows_the_same_rule(client, world):
    assert PHONE in application_docx_text(client, world.users.specialist, world.case)

    text = application_docx_text(client, world.users.supervisor, world.case)
    assert MASKED in text and PHONE not in text


def test_the_work_ledger_file_masks_the_number_for_a_supervisor(client, world):
    client.force_login(world.users.supervisor)
    response = client.get(reverse("printing:case_form", args=[world.case.pk, "ledger", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert MASKED in cells and PHONE not in cells


def test_masking_a_file_never_changes_the_stored_number(client, world):
    application_docx_text(client, world.users.supervisor, world.case)

    world.case.company_contact.refresh_from_db()
    assert world.case.company_contact.phone == PHONE
