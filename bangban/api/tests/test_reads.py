import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangban.api.tests.conftest import client_for, make_world
from bangban.cases.workflow import ItemState
from bangban.notifications.models import Notification
from bangban.problems import services as problem_services
from tests.factories import CaseItemFactory, MatterFactory, UserFactory

pytestmark = pytest.mark.django_db


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_company_sees_its_own_company_project_and_case_only(world, other_world):
    client = client_for(world.applicant)
    assert [c["id"] for c in _results(client.get("/api/v1/companies/"))] == [
        world.case.project.company_id]
    assert [p["code"] for p in _results(client.get("/api/v1/projects/"))] == [
        world.case.project.code]
    assert [c["number"] for c in _results(client.get("/api/v1/cases/"))] == [world.case.number]


def test_company_detail_masks_phones_for_colleagues(world):
    colleague = UserFactory()
    contact = world.case.company_contact
    contact.company.contacts.create(user=colleague, name="同事", phone="13912345678",
                                    is_representative=False)
    data = client_for(colleague).get(f"/api/v1/companies/{contact.company_id}/").json()
    phones = {c["name"]: c["phone"] for c in data["contacts"]}
    assert phones["同事"] == "13912345678"  # their own
    assert "*" in phones[contact.name]


@pytest.mark.parametrize("url", [
    "/api/v1/companies/{company}/", "/api/v1/projects/{project}/", "/api/v1/cases/{case}/",
    "/api/v1/cases/{case}/items/", "/api/v1/cases/{case}/documents/", "/api/v1/items/{item}/",
    "/api/v1/documents/{document}/", "/api/v1/documents/{document}/download/",
    "/api/v1/evaluations/{evaluation}/",
])
def test_another_company_sees_nothing_of_the_case(world, other_world, url):
    url = url.format(company=other_world.case.project.company_id,
                     project=other_world.case.project_id, case=other_world.case.pk,
                     item=other_world.item.pk, document=other_world.document.pk,
                     evaluation=other_world.evaluation.pk)
    response = client_for(world.applicant).get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ["specialist", "chief", "department"])
def test_staff_of_another_agency_see_nothing_of_the_case(world, other_world, role):
    client = client_for(getattr(world, role))
    assert other_world.case.number not in {
        c["number"] for c in _results(client.get("/api/v1/cases/"))}
    for url in (f"/api/v1/cases/{other_world.case.pk}/", f"/api/v1/items/{other_world.item.pk}/",
                f"/api/v1/documents/{other_world.document.pk}/",
                f"/api/v1/evaluations/{other_world.evaluation.pk}/"):
        assert client.get(url).status_code == 404, url


def test_the_department_sees_only_the_items_pushed_to_it(world):
    CaseItemFactory(case=world.case, state=ItemState.PLANNED, department=world.item.department)
    client = client_for(world.department)
    assert [i["id"] for i in _results(client.get(f"/api/v1/cases/{world.case.pk}/items/"))] == [
        world.item.pk]
    assert [i["id"] for i in _results(client.get("/api/v1/items/"))] == [world.item.pk]


def test_the_company_sees_no_item_before_the_plan_is_published(world):
    world.case.plan_published_at = None
    world.case.save()
    client = client_for(world.applicant)
    assert _results(client.get(f"/api/v1/cases/{world.case.pk}/items/")) == []


def test_the_item_shows_the_actions_the_user_may_take(world):
    data = client_for(world.department).get(f"/api/v1/items/{world.item.pk}/").json()
    assert {a["name"] for a in data["actions"]} == {"accept", "refuse"}
    data = client_for(world.specialist).get(f"/api/v1/items/{world.item.pk}/").json()
    assert {a["name"] for a in data["actions"]} == {"withdraw"}


def test_the_case_shows_its_actions(world):
    data = client_for(world.specialist).get(f"/api/v1/cases/{world.case.pk}/").json()
    assert {"suspend", "log_contact", "edit_plan"} <= {a["name"] for a in data["actions"]}
    assert "terminate" not in {a["name"] for a in data["actions"]}  # the chief's


def test_an_unknown_queue_is_refused(world):
    response = client_for(world.specialist).get("/api/v1/items/?queue=everything")
    assert response.status_code == 400
    assert response.json()["errors"]["queue"] == ["Choose one of: department, specialist."]


def test_the_specialist_queue_lists_items_waiting_for_the_specialist(world):
    waiting = CaseItemFactory(case=world.case, state=ItemState.PREPARING)
    items = _results(client_for(world.specialist).get("/api/v1/items/?queue=specialist"))
    assert [i["id"] for i in items] == [waiting.pk]


def test_problems_are_listed_and_the_company_does_not_see_the_internal_answer(world,
                                                                             other_world):
    problem = problem_services.raise_problem(
        case=world.case, by=world.applicant, title="受阻", description="迟迟未出具",
        requested_outcome="请协调", item=world.item)
    problem.answer = "内部答复"
    problem.save()
    for user, answer in ((world.specialist, "内部答复"), (world.applicant, None)):
        client = client_for(user)
        assert [p["number"] for p in _results(client.get("/api/v1/problems/"))] == [
            problem.number]
        assert client.get(f"/api/v1/problems/{problem.pk}/").json()["answer"] == answer
    assert _results(client_for(other_world.applicant).get("/api/v1/problems/")) == []
    assert client_for(other_world.specialist).get(
        f"/api/v1/problems/{problem.pk}/").status_code == 404


def test_evaluations_are_listed_for_staff_and_for_the_company(world, other_world):
    for user in (world.applicant, world.specialist, world.chief):
        assert [e["id"] for e in _results(client_for(user).get("/api/v1/evaluations/"))] == [
            world.evaluation.pk], user
    assert _results(client_for(world.specialist).get("/api/v1/evaluations/?rating=5")) == []


def test_a_document_is_downloaded_and_the_download_audited(world):
    from bangban.audit.models import AuditEvent

    response = client_for(world.department).get(
        f"/api/v1/documents/{world.document.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(user=world.department,
                                     object_description="material.pdf").exists()


def test_notifications_are_the_users_own_and_are_marked_read(world, other_world):
    client = client_for(world.department)
    assert [n["id"] for n in _results(client.get("/api/v1/notifications/"))] == [
        world.notification.pk]
    assert client.post(f"/api/v1/notifications/{other_world.notification.pk}/read/"
                       ).status_code == 404
    response = client.post(f"/api/v1/notifications/{world.notification.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert _results(client.get("/api/v1/notifications/?unread=1")) == []
    assert Notification.objects.get(pk=other_world.notification.pk).read_at is None


def test_mark_all_read_counts_what_it_marked(world):
    Notification.objects.create(recipient=world.department, event="x", subject="再一条")
    client = client_for(world.department)
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_pages_hold_at_most_page_size_rows(world):
    for n in range(3):
        Notification.objects.create(recipient=world.department, event="x", subject=f"{n}")
    data = client_for(world.department).get("/api/v1/notifications/?page_size=2").json()
    assert data["count"] == 4 and len(data["results"]) == 2 and data["next"]


LISTS = ["/api/v1/companies/", "/api/v1/projects/", "/api/v1/cases/", "/api/v1/items/",
         "/api/v1/items/?queue=specialist", "/api/v1/problems/", "/api/v1/evaluations/",
         "/api/v1/notifications/", "/api/v1/cases/{case}/items/",
         "/api/v1/cases/{case}/documents/"]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_queries_for_more_rows(world, url):
    """Staff of the agency (a chief who is also the specialist and the department's
    representative, so every list has rows) read one row, then several."""
    from bangban.accounts.models import Role
    from tests.factories import MembershipFactory

    user = world.specialist
    MembershipFactory(user=user, agency=world.case.agency, role=Role.CHIEF_SPECIALIST)
    MembershipFactory(user=user, agency=world.case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                      department=world.item.department)
    Notification.objects.create(recipient=user, case=world.case, event="x", subject="1")
    CaseItemFactory(case=world.case, state=ItemState.PREPARING, matter=MatterFactory())
    problem_services.raise_problem(case=world.case, by=world.applicant, title="p",
                                   description="d", requested_outcome="o",
                                   department=world.item.department)
    client = client_for(user)
    url = url.format(case=world.case.pk)
    client.get(url)  # the token's last use is written once
    before, rows_before = _count_queries(client, url)
    assert rows_before, url
    for n in range(3):
        more = make_world(10 + n)
        more.case.agency = more.case.project.agency = world.case.agency
        more.case.save()
        more.case.project.save()
        Notification.objects.create(recipient=user, case=more.case, event="x", subject="n")
        CaseItemFactory(case=world.case, state=ItemState.ACCEPTED,
                        department=world.item.department, matter=MatterFactory())
        CaseItemFactory(case=world.case, state=ItemState.PREPARING, matter=MatterFactory())
        world.document.__class__.objects.create(
            case=world.case, kind=world.document.kind, title=f"v{n}", file=world.document.file,
            original_name="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
            uploaded_by=user, version=1)
        problem_services.raise_problem(case=world.case, by=world.applicant, title=f"p{n}",
                                       description="d", requested_outcome="o",
                                       department=world.item.department)
    after, rows_after = _count_queries(client, url)
    assert rows_after > rows_before, url
    assert after == before, url


def test_problems_filter_by_overdue(world):
    response = client_for(world.specialist).get("/api/v1/problems/?overdue=true&level=1")
    assert response.status_code == 200
