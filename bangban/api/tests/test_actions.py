import pytest

from bangban.api.tests.conftest import b64_pdf, client_for
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from bangban.documents.models import Document, DocumentKind
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def _act(client, item, action, data=None, **kwargs):
    return client.post(f"/api/v1/items/{item.pk}/actions/{action}/", data or {},
                       **({"format": "json"} | kwargs))


def test_an_item_goes_from_pushed_to_approved_through_actions(world):
    department = client_for(world.department)
    response = _act(department, world.item, "accept")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ItemState.ACCEPTED
    assert response.json()["due_date"]

    response = _act(department, world.item, "request_supplement",
                    {"reason": "缺少施工合同", "due_date": None})
    assert response.json()["state"] == ItemState.SUPPLEMENT_REQUESTED

    # The company answers with a file, as a browser would: multipart.
    response = _act(client_for(world.applicant), world.item, "supply_supplement",
                    {"answer": "已上传", "files": [pdf_upload("合同.pdf")]}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ItemState.ACCEPTED

    response = _act(department, world.item, "approve",
                    {"result_number": "滨建许〔2026〕1号", "result_file": b64_pdf()})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == ItemState.APPROVED and data["result_number"] == "滨建许〔2026〕1号"
    assert Document.objects.get(pk=data["result_document"]).kind == DocumentKind.RESULT
    assert list(LedgerEntry.objects.filter(item=world.item).values_list("action", flat=True)) \
        == ["accept", "request_supplement", "supply_supplement", "approve"]


def test_an_action_of_another_role_is_refused_with_403(world):
    response = _act(client_for(world.specialist), world.item, "accept")
    assert response.status_code == 403
    assert response.json() == {"detail": "You are not allowed to do this.",
                               "code": "not_allowed"}


def test_an_action_in_the_wrong_state_is_refused_with_409(world):
    response = _act(client_for(world.department), world.item, "approve",
                    {"result_number": "1号", "result_file": b64_pdf()})
    assert response.status_code == 409
    assert response.json() == {"detail": "This action is not possible in the current state.",
                               "code": "invalid_transition"}
    world.item.refresh_from_db()
    assert world.item.state == ItemState.PUSHED


def test_missing_input_is_refused_field_by_field(world):
    response = _act(client_for(world.department), world.item, "refuse", {"reason": ""})
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["This field is required."]}


def test_a_service_validation_error_becomes_400(world):
    department = client_for(world.department)
    _act(department, world.item, "accept")
    response = _act(department, world.item, "request_supplement",
                    {"reason": "缺材料", "due_date": "2020-01-01"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"due_date": ["The due date cannot be in the past."]}


def test_bad_base64_and_a_non_object_body_are_refused(world):
    department = client_for(world.department)
    _act(department, world.item, "accept")
    response = _act(department, world.item, "approve", {
        "result_number": "1号", "result_file": {"name": "x.pdf", "content_base64": "%%%"}})
    assert response.status_code == 400
    assert response.json()["detail"] == "The file's content_base64 is not valid base64."
    for name in (".", ".."):
        response = _act(department, world.item, "approve", {
            "result_number": "1号", "result_file": {"name": name, "content_base64": "JVBERg=="}})
        assert response.status_code == 400
        assert response.json()["detail"] == (
            f"The file name “{name}” cannot be used; give the file a name.")
    response = department.post(f"/api/v1/items/{world.item.pk}/actions/refuse/", ["x"],
                               format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Send a JSON object."


def test_an_unknown_action_is_404(world):
    response = _act(client_for(world.department), world.item, "teleport")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such action."


def test_the_case_is_suspended_and_resumed_through_actions(world):
    specialist = client_for(world.specialist)
    url = f"/api/v1/cases/{world.case.pk}/actions/"
    response = specialist.post(url + "suspend/", {"reason": "fees_unpaid", "note": "未缴费"},
                               format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == CaseState.SUSPENDED
    assert {a["name"] for a in response.json()["actions"]} >= {"resume"}
    response = specialist.post(url + "resume/", {"note": "已缴费"}, format="json")
    assert response.json()["state"] == CaseState.IN_PROGRESS


def test_a_case_action_of_another_role_is_refused(world):
    response = client_for(world.applicant).post(
        f"/api/v1/cases/{world.case.pk}/actions/terminate/",
        {"reason": "other", "note": "x"}, format="json")
    assert response.status_code == 403
    world.case.refresh_from_db()
    assert world.case.state == CaseState.IN_PROGRESS


def test_editing_the_application_is_not_an_api_action(world):
    response = client_for(world.applicant).post(
        f"/api/v1/cases/{world.case.pk}/actions/edit_application/", {}, format="json")
    assert response.status_code == 404


def test_the_specialist_uploads_to_the_archive(world):
    response = client_for(world.specialist).post(
        f"/api/v1/cases/{world.case.pk}/documents/",
        {"kind": "other", "title": "会议纪要", "file": pdf_upload("纪要.pdf")},
        format="multipart")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "会议纪要" and data["kind"] == "other"
    assert LedgerEntry.objects.filter(case=world.case, action="archive_upload").exists()


def test_only_the_specialist_uploads_to_the_archive(world):
    response = client_for(world.applicant).post(
        f"/api/v1/cases/{world.case.pk}/documents/",
        {"kind": "other", "file": pdf_upload()}, format="multipart")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the case's specialist may add documents here."
