"""The public progress query: the right codes show the stage and the lights and nothing else;
a wrong code and an unknown project get the same answer; each address has a few tries."""

import pytest
from django.urls import reverse

from bangban.public import views
from bangban.public.services import issue_query_code
from bangban.public.tests.conftest import PROJECT_CODE, make_world
from bangban.public.workflow import PUBLIC_CASE_STATES

pytestmark = pytest.mark.django_db

URL = reverse("public:progress")
EN = {"accept-language": "en"}
NO_MATCH = "No project matches this project code and query code."


@pytest.fixture
def code(world):
    return issue_query_code(case=world.case, by=world.specialist).code


def _query(client, project_code, query_code, **extra):
    return client.post(URL, {"project_code": project_code, "query_code": query_code},
                       headers=EN, **extra)


def test_the_right_codes_show_the_stage_and_each_items_light_only(client, world, code):
    response = _query(client, f" {PROJECT_CODE} ", code.lower())
    html = response.content.decode()
    assert response.status_code == 200
    result = response.context["result"]
    assert result.stage.code == 3  # the earliest stage with an unfinished item
    assert [i.matter.name for i in result.items] == ["用地规划许可", "施工许可核发", "人防审查"]
    assert 'data-warning="yellow"' in html and 'data-warning="green"' in html
    assert 'data-item-state="approved"' in html
    # No people and no documents: not the specialist, the company contact or a department.
    for secret in (world.specialist.display_name, world.case.company_contact.name,
                   world.items[1].department.name, world.case.number):
        assert secret not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_wrong_code_and_unknown_project_get_the_same_answer(client, world, code):
    wrong = _query(client, PROJECT_CODE, "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA")
    unknown = _query(client, "2026-000000-00-00-000000", code)
    for response in (wrong, unknown):
        assert response.status_code == 200 and response.context["result"] is None
        assert response.context["form"].non_field_errors() == [
            NO_MATCH + " Check both and try again."]
    assert wrong.content.decode().replace(PROJECT_CODE, "X").count(NO_MATCH) == 1
    assert len(wrong.content) - len(PROJECT_CODE) == (
        len(unknown.content) - len("2026-000000-00-00-000000"))


def test_a_project_without_a_query_code_is_an_unknown_project(client, world):
    response = _query(client, PROJECT_CODE, "")
    assert response.context["result"] is None
    response = _query(client, PROJECT_CODE, "--------")
    assert response.context["result"] is None and NO_MATCH in response.content.decode()


def test_a_reissued_code_replaces_the_old_one(client, world, code):
    new = issue_query_code(case=world.case, by=world.chief).code
    assert new != code
    assert _query(client, PROJECT_CODE, code).context["result"] is None
    assert _query(client, PROJECT_CODE, new).context["result"] is not None


def test_before_the_plan_is_published_only_the_service_state_shows(client, db):
    world = make_world()
    world.case.plan_published_at = None
    world.case.save()
    code = issue_query_code(case=world.case, by=world.specialist).code
    response = _query(client, PROJECT_CODE, code)
    assert response.context["result"].items == []
    assert "The service plan is being prepared." in response.content.decode()


def test_attempts_are_limited_per_address_with_a_clear_message(client, world, code,
                                                               monkeypatch):
    monkeypatch.setattr(views, "PROGRESS_QUERY_RATE", "3/h")
    for _ in range(3):
        assert _query(client, PROJECT_CODE, "WRONGCOD").status_code == 200
    limited = _query(client, PROJECT_CODE, code)
    assert limited.status_code == 429 and limited.context.get("result") is None
    assert 'data-testid="rate-limited"' in limited.content.decode()
    assert "Too many attempts" in limited.content.decode()
    # Another address still has its tries; the page itself stays readable.
    assert _query(client, PROJECT_CODE, code, REMOTE_ADDR="10.0.0.9").context["result"]
    assert client.get(URL).status_code == 200


def test_the_public_case_states_exclude_drafts_and_rejections():
    assert {"draft", "submitted", "rejected"}.isdisjoint(PUBLIC_CASE_STATES)
