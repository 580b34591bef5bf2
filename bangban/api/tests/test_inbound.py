import base64

import pytest

from bangban.api.models import InboundEvent
from bangban.api.tests.conftest import b64_pdf, inbound_client
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import ItemState
from tests.factories import PDF_BYTES, CaseFactory, CaseItemFactory, pdf_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound/item-events/"


def _post(world, event, client=None, **fields):
    body = {"project_code": world.case.project.code, "matter_code": world.item.matter.code,
            "event": event, **fields}
    return (client or inbound_client(world.department)).post(URL, body, format="json")


def test_an_approval_system_accepts_then_approves_an_item(world):
    client = inbound_client(world.department)
    response = _post(world, "accepted", client, event_id="evt-1")
    assert response.status_code == 200, response.content
    assert response.json() | {"processed_at": None} == {
        "event_id": "evt-1", "event": "accepted", "item": world.item.pk,
        "item_state": ItemState.ACCEPTED, "processed_at": None, "replayed": False}
    response = _post(world, "approved", client, event_id="evt-2",
                     result_number="滨建许〔2026〕7号", result_file=b64_pdf())
    assert response.json()["item_state"] == ItemState.APPROVED
    world.item.refresh_from_db()
    assert world.item.result_number == "滨建许〔2026〕7号"
    assert world.item.result_document.original_name == "licence.pdf"
    ledger = LedgerEntry.objects.filter(item=world.item)
    assert [(e.action, e.actor) for e in ledger] == [("accept", world.department),
                                                    ("approve", world.department)]


def test_a_decision_may_come_as_multipart_with_the_file(world):
    client = inbound_client(world.department)
    _post(world, "accepted", client)
    response = client.post(URL, {
        "project_code": world.case.project.code, "matter_code": world.item.matter.code,
        "event": "approved", "result_number": "7号", "result_file": pdf_upload("许可证.pdf"),
    }, format="multipart")
    assert response.status_code == 200, response.content
    world.item.refresh_from_db()
    assert world.item.state == ItemState.APPROVED
    with world.item.result_document.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_supplement_request_and_refusal(world):
    client = inbound_client(world.department)
    _post(world, "accepted", client)
    response = _post(world, "supplement_requested", client, reason="缺少施工图审查合格书")
    assert response.json()["item_state"] == ItemState.SUPPLEMENT_REQUESTED
    assert world.item.supplement_requests.get().reason == "缺少施工图审查合格书"
    world.item.refresh_from_db()
    world.item.state = ItemState.ACCEPTED  # as if supplied
    world.item.save()
    response = _post(world, "refused", client, reason="不符合规划条件")
    assert response.json()["item_state"] == ItemState.REFUSED


def test_a_replayed_event_id_returns_the_first_result_and_acts_once(world):
    client = inbound_client(world.department)
    first = _post(world, "accepted", client, event_id="evt-1").json()
    again = _post(world, "accepted", client, event_id="evt-1")
    assert again.status_code == 200
    assert again.json() == first | {"replayed": True}
    assert LedgerEntry.objects.filter(item=world.item, action="accept").count() == 1
    assert InboundEvent.objects.count() == 1


def test_a_refused_event_is_not_recorded_and_may_be_posted_again(world):
    client = inbound_client(world.department)
    response = _post(world, "approved", client, event_id="evt-9", result_number="1号",
                     result_file=b64_pdf())
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "“Approve with result” is not possible while it is “Pushed to department”.")
    assert not InboundEvent.objects.exists()
    _post(world, "accepted", client)
    response = _post(world, "approved", client, event_id="evt-9", result_number="1号",
                     result_file=b64_pdf())
    assert response.json()["item_state"] == ItemState.APPROVED


def test_an_unknown_project_is_404_with_a_message(world):
    response = inbound_client(world.department).post(URL, {
        "project_code": "2026-000000-00-00-999999", "matter_code": world.item.matter.code,
        "event": "accepted"}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "No open case of the project 2026-000000-00-00-999999 that you may see.")


def test_an_unknown_matter_is_404_with_a_message(world):
    response = inbound_client(world.department).post(URL, {
        "project_code": world.case.project.code, "matter_code": "X999", "event": "accepted"},
        format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"The open case of the project {world.case.project.code} has no item X999.")


def test_another_agencys_department_cannot_find_the_item(world, other_world):
    response = _post(world, "accepted", inbound_client(other_world.department))
    assert response.status_code == 404
    world.item.refresh_from_db()
    assert world.item.state == ItemState.PUSHED


def test_a_project_with_two_open_cases_of_the_matter_is_409(world):
    second = CaseFactory(in_progress=True, project=world.case.project, agency=world.case.agency,
                         company_contact=world.case.company_contact)
    CaseItemFactory(case=second, matter=world.item.matter, department=world.item.department,
                    state=ItemState.PUSHED)
    response = _post(world, "accepted")
    assert response.status_code == 409
    assert "several open cases" in response.json()["detail"]


def test_a_wrong_state_is_409_with_the_services_message(world):
    world.item.state = ItemState.APPROVED
    world.item.save()
    response = _post(world, "refused", reason="x")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_the_posting_user_must_represent_the_items_department(world):
    response = _post(world, "accepted", inbound_client(world.specialist))
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not allowed to “Accept (受理)” here."


@pytest.mark.parametrize("fields, field", [
    ({"event": "exploded"}, "event"),
    ({"project_code": None}, "project_code"),
])
def test_a_malformed_event_is_400(world, fields, field):
    body = {"project_code": world.case.project.code, "matter_code": world.item.matter.code,
            "event": "accepted", **fields}
    response = inbound_client(world.department).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_an_approval_without_its_document_is_400(world):
    client = inbound_client(world.department)
    _post(world, "accepted", client)
    response = _post(world, "approved", client, result_number="1号")
    assert response.status_code == 400
    assert response.json()["errors"] == {"result_file": ["Attach the approval document."]}
    bad = {"name": "x.exe", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}
    response = _post(world, "approved", client, result_number="1号", result_file=bad)
    assert response.status_code == 400


def test_a_post_racing_the_first_of_its_event_id_answers_as_a_replay(world, monkeypatch):
    """The second of two simultaneous posts did not see the first's record when it looked,
    then found the item moved on: it answers with the first's outcome, not 409."""
    from bangban.api import selectors

    client = inbound_client(world.department)
    first = _post(world, "accepted", client, event_id="evt-1").json()
    looked_up = []
    real = selectors.processed_event

    def not_yet_committed(user, event_id):
        looked_up.append(event_id)
        return None if len(looked_up) == 1 else real(user, event_id)

    monkeypatch.setattr(selectors, "processed_event", not_yet_committed)
    again = _post(world, "accepted", client, event_id="evt-1")
    assert again.status_code == 200
    assert again.json() == first | {"replayed": True}
    assert LedgerEntry.objects.filter(item=world.item, action="accept").count() == 1
