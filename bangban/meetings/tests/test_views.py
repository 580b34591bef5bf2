"""Meeting pages: who sees what, the actions through the pages, and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bangban.accounts.models import Role
from bangban.meetings import services
from bangban.meetings.models import Meeting, MeetingAction
from bangban.meetings.tests.conftest import DAY, convene, meeting_in_state
from bangban.meetings.workflow import ActionState, MeetingState, Reply
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _detail(meeting):
    return reverse("meetings:detail", args=[meeting.pk])


def _action(meeting, name):
    return reverse("meetings:action", args=[meeting.pk, name])


@pytest.mark.parametrize("role", [Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.SPECIALIST,
                                  Role.DEPARTMENT_REPRESENTATIVE, Role.EXPERT, Role.APPLICANT])
def test_those_concerned_see_the_meeting(client, world, role):
    meeting = convene(world)
    client.force_login(world.user(role))
    assert f'data-meeting="{meeting.pk}"' in client.get(reverse("meetings:list")).content.decode()
    response = client.get(_detail(meeting))
    assert response.status_code == 200
    assert meeting.agenda.splitlines()[0] in response.content.decode()
    assert client.get(reverse("meetings:ics", args=[meeting.pk])).status_code == 200


@pytest.mark.parametrize("who", ["other_applicant", "outsider", "other_department"])
def test_others_get_404_and_an_empty_list(client, world, who):
    meeting = convene(world)
    client.force_login(world.user(who))
    assert f'data-meeting="{meeting.pk}"' not in client.get(
        reverse("meetings:list")).content.decode()
    for url in (_detail(meeting), reverse("meetings:ics", args=[meeting.pk]),
                _action(meeting, "reply"), _action(meeting, "cancel")):
        assert client.get(url).status_code == 404
    assert client.post(_action(meeting, "cancel"), {"reason": "伪造"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED


def test_chief_of_another_agency_gets_404(client, world):
    meeting = convene(world)
    client.force_login(MembershipFactory(role=Role.CHIEF_SPECIALIST).user)
    assert client.get(_detail(meeting)).status_code == 404
    assert client.post(_action(meeting, "cancel"), {"reason": "x"}).status_code == 404
    response = client.get(reverse("meetings:convene") + f"?case={world.case.pk}")
    assert response.status_code == 404


def test_company_contact_reads_and_replies_only(client, world):
    meeting = meeting_in_state(world, MeetingState.HELD)
    client.force_login(world.applicant)
    page = client.get(_detail(meeting)).content.decode()
    assert 'id="meeting-minutes"' not in page  # draft minutes are not the company's yet
    assert 'data-meeting-action=' not in page.split('id="meeting-attendees"')[0]
    assert 'id="meeting-history"' not in page
    response = client.post(_action(meeting, "publish"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    services.publish_minutes(meeting=meeting, by=world.chief)
    page = client.get(_detail(meeting)).content.decode()
    assert "会议议定如下。" in page


def test_reply_through_the_page(client, world):
    meeting = convene(world)
    client.force_login(world.applicant)
    page = client.get(_detail(meeting)).content.decode()
    assert 'data-meeting-action="reply"' in page and 'data-meeting-action="cancel"' not in page
    response = client.get(_action(meeting, "reply"), HTTP_HX_REQUEST="true")
    assert 'id="action-form"' in response.content.decode()
    response = client.post(_action(meeting, "reply"), {"reply": "decline", "note": "另派人员"})
    assert response.status_code == 302
    invitation = meeting.attendees.get(user=world.applicant)
    assert invitation.reply == Reply.DECLINE and invitation.reply_note == "另派人员"


def test_bad_input_shows_the_form_again(client, world):
    meeting = convene(world)
    client.force_login(world.chief)
    response = client.post(_action(meeting, "cancel"), {"reason": "  "})
    assert response.status_code == 200 and 'id="action-form"' in response.content.decode()
    start = timezone.localtime(meeting.starts_at)
    response = client.post(_action(meeting, "reschedule"), {
        "starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start:%Y-%m-%dT%H:%M}",
        "place": "x", "reason": "改期"})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED and meeting.sequence == 0


def test_chief_convenes_through_the_page(client, world):
    client.force_login(world.chief)
    url = reverse("meetings:convene") + f"?case={world.case.pk}"
    assert client.get(url).status_code == 200
    start = timezone.localtime(timezone.now() + 2 * DAY)
    data = {
        "case": world.case.pk, "title": "施工图联合审查", "kind": "pre_review",
        "starts_at": f"{start:%Y-%m-%dT09:00}", "ends_at": f"{start:%Y-%m-%dT11:00}",
        "place": "三楼会议室", "agenda": "审查施工图", "representatives": [world.department.pk],
        "external_experts": "王工，省设计院，wang@example.com",
        "company_contacts": [world.case.company_contact.pk],
    }
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == _detail(meeting)
    assert meeting.case == world.case and meeting.attendees.count() == 3
    assert meeting.attendees.get(name="王工").email == "wang@example.com"


def test_convene_page_refuses_bad_input_and_non_chiefs(client, world):
    client.force_login(world.chief)
    response = client.post(reverse("meetings:convene"), {
        "title": "x", "kind": "joint", "starts_at": "2020-01-01T09:00",
        "ends_at": "2020-01-01T10:00", "place": "x", "agenda": "x",
        "new_project_name": "新项目", "agency": world.case.agency.pk,
        "representatives": [world.department.pk]})
    assert response.status_code == 200 and not Meeting.objects.exists()
    client.force_login(world.specialist)
    assert client.get(reverse("meetings:convene")).status_code == 404


def test_decisions_minutes_and_red_light(client, world):
    meeting = meeting_in_state(world, MeetingState.PUBLISHED)
    MeetingAction.objects.filter(meeting=meeting).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(world.department)
    page = client.get(_detail(meeting)).content.decode()
    assert 'data-warning="red"' in page
    page = client.get(reverse("meetings:my_actions")).content.decode()
    decision = meeting.actions.get()
    assert f'data-meeting-action="{decision.pk}"' in page and 'data-warning="red"' in page


def test_owner_marks_done_others_get_404(client, world):
    meeting = meeting_in_state(world, MeetingState.PUBLISHED)
    decision = meeting.actions.get()
    url = reverse("meetings:complete_action", args=[decision.pk])
    client.force_login(world.chief)
    assert client.post(url, {"note": "代办"}).status_code == 404
    client.force_login(world.department)
    assert client.post(url, {"note": " "}).status_code == 200
    decision.refresh_from_db()
    assert decision.state == ActionState.OPEN
    response = client.post(url, {"note": "已出具规划条件"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == ActionState.DONE and decision.done_note == "已出具规划条件"
    assert client.post(url, {"note": "again"}).status_code == 302  # "already done" message


def test_remove_decision_button_in_draft(client, world):
    meeting = meeting_in_state(world, MeetingState.HELD)
    client.force_login(world.chief)
    page = client.get(_detail(meeting)).content.decode()
    assert "remove_decision" in page
    response = client.post(_action(meeting, "remove_decision"),
                           {"decision": meeting.actions.get().pk})
    assert response.status_code == 302 and not meeting.actions.exists()


def test_ics_download(client, world):
    meeting = convene(world)
    client.force_login(world.expert)
    response = client.get(reverse("meetings:ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).walk("VEVENT")[0]["UID"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


@pytest.mark.parametrize("role", [Role.CHIEF_SPECIALIST, Role.APPLICANT, Role.EXPERT])
def test_list_query_count_is_constant(client, world, role, django_assert_num_queries):
    convene(world)
    client.force_login(world.user(role))
    url = reverse("meetings:list")
    client.get(url)
    one = _queries(client, url)
    for _ in range(5):
        convene(world)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.decode().count("data-meeting=") == 6


def test_my_actions_query_count_is_constant(client, world, django_assert_num_queries):
    meeting_in_state(world, MeetingState.PUBLISHED)
    client.force_login(world.department)
    url = reverse("meetings:my_actions")
    client.get(url)
    one = _queries(client, url)
    for _ in range(4):
        meeting_in_state(world, MeetingState.PUBLISHED)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.decode().count("data-meeting-action=") == 5


def test_meeting_page_query_count_is_constant(client, world, django_assert_num_queries):
    meeting = meeting_in_state(world, MeetingState.HELD)
    client.force_login(world.chief)
    client.get(_detail(meeting))
    one = _queries(client, _detail(meeting))
    for _ in range(4):
        services.add_decision(meeting=meeting, by=world.chief, text="再议", owner=world.expert,
                              working_days=2)
    with django_assert_num_queries(one):
        client.get(_detail(meeting))


def test_company_copy_of_the_invitation_leaves_out_addresses(client, world):
    meeting = convene(world)
    url = reverse("meetings:ics", args=[meeting.pk])
    client.force_login(world.applicant)
    assert b"li@example.com" not in client.get(url).content
    client.force_login(world.department)
    assert b"li@example.com" in client.get(url).content
