"""Notice pages: who sees what, the actions through the page, and constant query counts."""

import pytest
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.supervision.jobs import scan_supervision
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.tests.conftest import TODAY, make_world
from bangban.supervision.workflow import NoticeLevel, NoticeState
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    scan_supervision(TODAY)
    return SupervisionNotice.objects.get()


def _detail(notice):
    return reverse("supervision:detail", args=[notice.pk])


def _action(notice, name):
    return reverse("supervision:action", args=[notice.pk, name])


@pytest.mark.parametrize("role", [Role.DEPARTMENT_REPRESENTATIVE, Role.SPECIALIST,
                                  Role.CHIEF_SPECIALIST, Role.SUPERVISOR])
def test_staff_concerned_see_the_notice_in_list_page_and_print(client, world, notice, role):
    client.force_login(world.user(role))
    response = client.get(reverse("supervision:list"))
    assert notice.number in response.content.decode()
    response = client.get(_detail(notice))
    assert response.status_code == 200
    assert world.item.matter.name in response.content.decode()
    response = client.get(reverse("supervision:print", args=[notice.pk]))
    assert response.status_code == 200 and notice.number in response.content.decode()


def test_the_list_shows_each_cell_of_the_notice(client, world, notice):
    client.force_login(world.chief)
    page = client.get(reverse("supervision:list"), headers={"accept-language": "en"})
    row = page.content.decode().split(f'data-notice="{notice.number}"', 1)[1].split("</tr>")[0]
    case = notice.case
    for shown in [f'href="{_detail(notice)}"', world.item.matter.name, case.number,
                  f'href="{reverse("cases:detail", args=[case.pk])}#item-{notice.item_id}"',
                  case.project.name, case.project.company.name, notice.department.name,
                  "Supervision notice", "Awaiting reply", notice.response_due.isoformat()]:
        assert shown in row, shown


@pytest.mark.parametrize("who", [Role.APPLICANT, "outsider", "other_department"])
def test_others_get_404_and_an_empty_list(client, world, notice, who):
    client.force_login(world.user(who))
    assert notice.number not in client.get(reverse("supervision:list")).content.decode()
    for url in (_detail(notice), reverse("supervision:print", args=[notice.pk]),
                _action(notice, "reply")):
        assert client.get(url).status_code == 404
    assert client.post(_action(notice, "reply"), {"reply": "伪造答复"}).status_code == 404
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN


def test_chief_of_another_agency_gets_404(client, notice):
    stranger = MembershipFactory(role=Role.CHIEF_SPECIALIST).user
    client.force_login(stranger)
    assert client.get(_detail(notice)).status_code == 404
    assert client.post(_action(notice, "close"), {"note": "x"}).status_code == 404


def test_department_replies_through_the_page(client, world, notice):
    client.force_login(world.department)
    page = client.get(_detail(notice)).content.decode()
    assert 'data-notice-action="reply"' in page
    assert 'data-notice-action="close"' not in page
    response = client.get(_action(notice, "reply"), HTTP_HX_REQUEST="true")
    assert 'id="action-form"' in response.content.decode()
    response = client.post(_action(notice, "reply"), {"reply": "本周五前出具审查意见"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.ANSWERED and notice.reply == "本周五前出具审查意见"
    assert "本周五前出具审查意见" in client.get(_detail(notice)).content.decode()


def test_empty_reply_shows_the_form_again_and_changes_nothing(client, world, notice):
    client.force_login(world.department)
    response = client.post(_action(notice, "reply"), {"reply": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN
    assert not LedgerEntry.objects.filter(action="supervision_reply").exists()


def test_wrong_role_is_refused_with_a_message(client, world, notice):
    client.force_login(world.specialist)
    response = client.post(_action(notice, "close"), {"note": "擅自关闭"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN


def test_chief_escalates_refers_and_closes_through_the_page(client, world, notice):
    client.force_login(world.chief)
    assert client.post(_action(notice, "escalate"), {"note": "紧急"}).status_code == 302
    assert client.post(_action(notice, "refer"), {"referred_to": "audit",
                                                  "note": "屡催不办"}).status_code == 302
    assert client.post(_action(notice, "close"), {"note": "已问责"}).status_code == 302
    notice.refresh_from_db()
    assert (notice.level, notice.state) == (NoticeLevel.REFERRED, NoticeState.CLOSED)
    history = client.get(_detail(notice)).context["history"]
    assert [e.action for e in history] == [
        "supervision_issue", "supervision_escalate", "supervision_refer", "supervision_close"]


def test_list_filters_by_level_and_state(client, world, notice):
    client.force_login(world.chief)
    assert notice.number in client.get(reverse("supervision:list"),
                                       {"level": "notice"}).content.decode()
    assert notice.number not in client.get(reverse("supervision:list"),
                                           {"level": "escalated"}).content.decode()
    assert notice.number not in client.get(reverse("supervision:list"),
                                           {"state": "closed"}).content.decode()


def test_case_page_links_the_items_notice(client, world, notice):
    client.force_login(world.specialist)
    page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert f'data-notice-link="{notice.number}"' in page
    client.force_login(world.applicant)
    page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert notice.number not in page


def test_workbenches_show_notices(client, world, notice):
    client.force_login(world.department)
    page = client.get(reverse("portal:workbench")).content.decode()
    assert 'id="section-department-notices"' in page and notice.number in page
    client.force_login(world.supervisor)
    response = client.get(reverse("portal:workbench"))
    counts = dict(response.context["supervisor"]["notice_counts"])
    assert counts[NoticeLevel.NOTICE] == {"active": 1, "open": 1}


def _grow(world, n):
    for _ in range(n):
        other = make_world()
        other.case.agency = world.case.agency
        other.case.save()
        other.item.department = world.item.department
        other.item.save()
    scan_supervision(TODAY)


def _count(client, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.DEPARTMENT_REPRESENTATIVE, Role.CHIEF_SPECIALIST,
                                  Role.SUPERVISOR])
def test_list_query_count_does_not_grow(client, world, role, django_assert_num_queries):
    client.force_login(world.user(role))
    url = reverse("supervision:list")
    _grow(world, 2)
    few = _count(client, url, django_assert_num_queries)
    _grow(world, 8)
    assert SupervisionNotice.objects.count() == 11
    with django_assert_num_queries(few):
        client.get(url)
