"""Downloading one document: whoever may see the case, a department only what is its."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.workflow import ItemState
from bangban.documents.models import DocumentKind
from bangban.documents.services import store_document
from tests.factories import (
    PDF_BYTES,
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now())
    department = DepartmentFactory(agency=case.agency)
    pushed = CaseItemFactory(case=case, department=department, state=ItemState.PUSHED)
    planned = CaseItemFactory(case=case, department=department, state=ItemState.PLANNED)
    by = case.specialist

    def document(kind, item=None, name="file.pdf"):
        return store_document(case=case, kind=kind, file=pdf_upload(name), by=by, item=item)

    return {
        "case": case,
        "application": document(DocumentKind.APPLICATION, name="申请表.pdf"),
        "agreement": document(DocumentKind.AGREEMENT),
        "pushed": document(DocumentKind.MATERIAL, pushed),
        "planned": document(DocumentKind.MATERIAL, planned),
        "users": {
            "applicant": case.company_contact.user,
            "specialist": case.specialist,
            "chief": MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
            "supervisor": MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user,
            "department": MembershipFactory(agency=case.agency,
                                            role=Role.DEPARTMENT_REPRESENTATIVE,
                                            department=department).user,
            "other_company": CompanyContactFactory().user,
            "outsider": UserFactory(),
        },
    }


def download(client, user, document):
    client.force_login(user)
    return client.get(reverse("documents:download", args=[document.pk]))


@pytest.mark.parametrize("role", ["applicant", "specialist", "chief", "supervisor"])
@pytest.mark.parametrize("doc", ["application", "agreement", "pushed", "planned"])
def test_everyone_with_a_role_on_the_case_downloads_every_document(client, world, role, doc):
    response = download(client, world["users"][role], world[doc])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_the_original_file_name_is_offered(client, world):
    response = download(client, world["users"]["specialist"], world["application"])
    assert "filename*=utf-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("doc,status", [
    ("application", 200), ("pushed", 200), ("agreement", 404), ("planned", 404),
])
def test_department_gets_application_materials_and_its_items_only(client, world, doc, status):
    assert download(client, world["users"]["department"], world[doc]).status_code == status


@pytest.mark.parametrize("role", ["other_company", "outsider"])
def test_nobody_else_downloads_anything(client, world, role):
    for doc in ("application", "agreement", "pushed", "planned"):
        assert download(client, world["users"][role], world[doc]).status_code == 404


def test_download_needs_login(client, world):
    response = client.get(reverse("documents:download", args=[world["application"].pk]))
    assert response.status_code == 302


def test_unknown_document_is_404(client, world):
    client.force_login(world["users"]["specialist"])
    assert client.get(reverse("documents:download", args=[999999])).status_code == 404
