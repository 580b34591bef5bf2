import datetime
import re
from dataclasses import dataclass
from io import BytesIO

import pytest
from django.utils import timezone, translation
from docx import Document as WordDocument
from openpyxl import load_workbook
from pypdf import PdfReader

from bangban.accounts.models import Role, User
from bangban.cases.services import record_ledger
from bangban.cases.workflow import ItemState
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english():
    """Labels are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


def _squeeze(text):
    # A PDF's text comes back with line breaks where the table cell wrapped.
    return re.sub(r"\s+", "", text)


def pdf_text(content):
    assert content.startswith(b"%PDF")
    reader = PdfReader(BytesIO(content))
    return _squeeze("".join(page.extract_text() for page in reader.pages))


def docx_text(content):
    document = WordDocument(BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return _squeeze("".join(parts))


def xlsx_text(content):
    workbook = load_workbook(BytesIO(content))
    return _squeeze("".join(str(cell.value) for sheet in workbook.worksheets
                            for row in sheet.iter_rows() for cell in row
                            if cell.value is not None))


def contains(text, *needles):
    missing = [needle for needle in needles if _squeeze(str(needle)) not in text]
    assert not missing, f"missing {missing} in {text[:400]}…"


@dataclass
class World:
    case: object
    item: object
    specialist: User
    chief: User
    department: User
    applicant: User
    other_company: User
    outsider: User


def make_world():
    specialist = UserFactory(full_name="李专员", phone="13811112222")
    matter = MatterFactory(name="建筑工程施工许可证核发")
    case = CaseFactory(
        in_progress=True, specialist=specialist, plan_published_at=timezone.now(),
        handler_opinion="材料齐全，建议受理", leader_instruction="同意，抓紧办理",
        requested_items_note="施工许可及竣工验收",
    )
    case.requested_matters.add(matter)
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    department = DepartmentFactory(agency=case.agency, name="区住房和城乡建设局")
    item = CaseItemFactory(
        case=case, matter=matter, department=department, state=ItemState.ACCEPTED,
        promised_limit=7, materials=["施工许可申请表", "施工图审查合格书"],
        planned_start=datetime.date(2026, 3, 2), planned_end=datetime.date(2026, 3, 11),
        accepted_at=timezone.now(), due_date=datetime.date(2026, 3, 11),
        result_number="住建许字〔2026〕18号",
    )
    record_ledger(case=case, by=specialist, role=Role.SPECIALIST, action="log_contact",
                  reason="电话联系企业补充施工图")
    return World(
        case=case, item=item, specialist=specialist,
        chief=MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
        department=MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=department).user,
        applicant=case.company_contact.user,
        other_company=CompanyContactFactory().user,
        outsider=UserFactory(),
    )


@pytest.fixture
def world(db):
    return make_world()
