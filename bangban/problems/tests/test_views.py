"""Problem pages: who sees what, raising and acting through the pages, the company's side, and
constant query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.problems import services
from bangban.problems.models import Problem
from bangban.problems.tests.conftest import make_world
from bangban.problems.workflow import ProblemLevel, ProblemState
from tests.factories import CaseFactory, CaseItemFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(world):
    return world.raise_problem()


def _detail(problem):
    return reverse("problems:detail", args=[problem.pk])


def _action(problem, name):
    return reverse("problems:action", args=[problem.pk, name])


def _upload(content):
    return SimpleUploadedFile("x.pdf", content, content_type="application/pdf")


def _raise_data(**fields):
    return {"title": "规划许可办理受阻", "description": "总平图审查意见未出",
            "requested_outcome": "请协调尽快出具", **fields}


# ------------------------------------------------------------------------------ visibility


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.DEPARTMENT_REPRESENTATIVE,
                                  Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR])
def test_those_concerned_see_the_problem(client, world, problem, role):
    client.force_login(world.user(role))
    assert problem.number in client.get(reverse("problems:list")).content.decode()
    assert problem.number in client.get(
        reverse("problems:for_case", args=[world.case.pk])).content.decode()
    response = client.get(_detail(problem))
    assert response.status_code == 200 and problem.title in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "other_department"])
def test_others_get_404_and_an_empty_list(client, world, problem, who):
    client.force_login(world.user(who))
    assert problem.number not in client.get(reverse("problems:list")).content.decode()
    for url in (_detail(problem), _action(problem, "answer")):
        assert client.get(url).status_code == 404
    assert client.post(_action(problem, "answer"), {"answer": "伪造答复"}).status_code == 404
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN


def test_another_companys_contact_gets_404_everywhere(client, world, problem):
    stranger = CaseFactory(in_progress=True).company_contact.user
    client.force_login(stranger)
    for url in (_detail(problem), reverse("problems:for_case", args=[world.case.pk]),
                reverse("problems:raise", args=[world.case.pk])):
        assert client.get(url).status_code == 404
    response = client.post(reverse("problems:raise", args=[world.case.pk]),
                           _raise_data(item=world.item.pk))
    assert response.status_code == 404
    assert client.post(_action(problem, "confirm")).status_code == 404
    assert Problem.objects.count() == 1


def test_a_company_cannot_name_another_companys_item(client, world):
    foreign = CaseItemFactory(case=CaseFactory(in_progress=True))
    client.force_login(world.applicant)
    url = reverse("problems:raise", args=[world.case.pk])
    assert client.get(url, {"item": foreign.pk}).status_code == 404
    assert client.post(url, _raise_data(item=foreign.pk)).status_code == 404
    assert not Problem.objects.exists()


# ------------------------------------------------------------------------------ raise


def test_company_raises_a_problem_on_its_item_through_the_portal(client, world):
    client.force_login(world.applicant)
    url = reverse("problems:raise", args=[world.case.pk])
    page = client.get(url, {"item": world.item.pk})
    assert page.status_code == 200 and page.context["form"]["item"].value() == str(world.item.pk)
    response = client.post(url, _raise_data(item=world.item.pk,
                                            attachment=pdf_upload("photo.pdf")))
    assert response.status_code == 302
    assert response.url == reverse("problems:for_case", args=[world.case.pk])
    problem = Problem.objects.get()
    assert problem.item == world.item and problem.raised_by == world.applicant
    assert problem.attachments.count() == 1


def test_bad_input_shows_the_form_again_and_changes_nothing(client, world):
    client.force_login(world.applicant)
    url = reverse("problems:raise", args=[world.case.pk])
    response = client.post(url, _raise_data(title=" "))
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, _raise_data(item=world.item.pk,
                                            attachment=_upload(b"GIF89a-not-really")))
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    response = client.post(url, _raise_data())  # neither item nor department
    assert "department" in response.context["form"].errors
    assert not Problem.objects.exists()
    assert not LedgerEntry.objects.filter(action="problem_raise").exists()


def test_a_department_cannot_raise(client, world):
    client.force_login(world.department)
    assert client.get(reverse("problems:raise", args=[world.case.pk])).status_code == 404


def test_raise_button_on_the_case_problem_list(client, world):
    client.force_login(world.applicant)
    page = client.get(reverse("problems:for_case", args=[world.case.pk])).content.decode()
    assert 'id="raise-problem"' in page


# ------------------------------------------------------------------------------ actions


def test_answer_relay_confirm_through_the_pages(client, world, problem):
    client.force_login(world.department)
    page = client.get(_detail(problem)).content.decode()
    assert 'data-problem-action="answer"' in page and 'data-problem-action="close"' not in page
    response = client.get(_action(problem, "answer"), HTTP_HX_REQUEST="true")
    assert 'id="action-form"' in response.content.decode()
    assert client.post(_action(problem, "answer"), {"answer": "内部答复：周五出具"}).status_code == 302

    client.force_login(world.specialist)
    form = client.get(_action(problem, "relay")).context["form"]
    assert form["answer"].value() == "内部答复：周五出具"
    assert client.post(_action(problem, "relay"), {"answer": "周五出具审查意见"}).status_code == 302

    client.force_login(world.applicant)
    page = client.get(_detail(problem)).content.decode()
    assert "周五出具审查意见" in page and "内部答复" not in page  # only the relayed answer
    assert 'data-problem-action="confirm"' in page
    assert client.post(_action(problem, "confirm")).status_code == 302
    problem.refresh_from_db()
    assert problem.state == ProblemState.CLOSED


def test_escalation_through_all_levels_and_the_feedback_letter_through_the_pages(
        client, world, problem):
    client.force_login(world.specialist)
    assert client.post(_action(problem, "escalate"), {"reason": "需首席协调"}).status_code == 302
    client.force_login(world.chief)
    for reason in ("提交联席会议", "提请领导专题会议"):
        assert client.post(_action(problem, "escalate"), {"reason": reason}).status_code == 302
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.LEADERSHIP_MEETING
    page = client.get(_detail(problem)).content.decode()
    assert 'data-problem-action="escalate"' not in page
    assert 'data-level="4"' in page
    response = client.post(_action(problem, "feedback_letter"),
                           {"addressee": "区供电局", "content": "请研究企业增容诉求"})
    assert response.status_code == 302
    problem.refresh_from_db()
    letter = problem.feedback_letter
    response = client.get(reverse("problems:letter", args=[problem.pk]))
    assert response.status_code == 200 and letter.number in response.content.decode()


def test_empty_reason_shows_the_form_again(client, world, problem):
    client.force_login(world.specialist)
    response = client.post(_action(problem, "escalate"), {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.SPECIALIST


def test_wrong_role_is_refused_with_a_message(client, world, problem):
    client.force_login(world.specialist)
    response = client.post(_action(problem, "close"), {"reason": "擅自关闭"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN


def test_unknown_action_and_missing_letter_are_404(client, world, problem):
    client.force_login(world.chief)
    assert client.get(_action(problem, "explode")).status_code == 404
    assert client.get(reverse("problems:letter", args=[problem.pk])).status_code == 404


def test_list_filters_by_state_level_and_overdue(client, world, problem):
    other = world.raise_problem(title="另一个问题", today=problem.raised_at.date())
    services.escalate_problem(problem=other, by=world.chief, reason="升级")
    client.force_login(world.chief)
    url = reverse("problems:list")

    def numbers(**query):
        return {p.number for p in client.get(url, query).context["page"].object_list}

    assert numbers(level=2) == {other.number}
    assert numbers(state="open") == {problem.number, other.number}
    assert numbers(state="closed") == set()
    assert numbers(overdue="on") == {problem.number}  # raised for 2025, long past its due date


# ------------------------------------------------------------------------------ queries


def _grow(world, n):
    for _ in range(n):
        other = make_world(agency=world.case.agency)
        other.item.department = world.item.department
        other.item.save()
        other.case.company_contact = world.case.company_contact
        other.case.project.company = world.case.project.company
        other.case.project.save()
        other.raise_problem(by=other.specialist)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.DEPARTMENT_REPRESENTATIVE,
                                  Role.CHIEF_SPECIALIST, Role.SUPERVISOR])
def test_list_query_count_does_not_grow(client, world, problem, role, django_assert_num_queries):
    client.force_login(world.user(role))
    url = reverse("problems:list")
    few = _count(client, url)
    _grow(world, 6)
    response = client.get(url)
    assert len(response.context["page"].object_list) == 7
    with django_assert_num_queries(few):
        client.get(url)


def test_case_list_query_count_does_not_grow(client, world, problem, django_assert_num_queries):
    client.force_login(world.specialist)
    url = reverse("problems:for_case", args=[world.case.pk])
    few = _count(client, url)
    for n in range(6):
        world.raise_problem(title=f"问题{n}")
    with django_assert_num_queries(few):
        client.get(url)
