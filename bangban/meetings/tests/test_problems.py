"""Meetings convened on problems (SPEC §6, Binzhou 7.1.3): the agenda's problems checked and
recorded, the convene page prefilled from a problem, the buttons on the problem page, what each
side sees of the other, the minutes' notice to those a problem concerns, and query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.meetings import services
from bangban.meetings.models import Meeting, MeetingAttendee, MeetingEntry
from bangban.meetings.workflow import (
    AGENDA_PROBLEM_STATES,
    MeetingKind,
    problem_meeting_for,
)
from bangban.notifications.models import Notification
from bangban.problems import services as problem_services
from bangban.problems.selectors import problem_history
from bangban.problems.tests.conftest import make_world
from bangban.problems.workflow import ProblemLevel, ProblemState
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
RAISED_ON = datetime.date(2025, 3, 3)


@pytest.fixture
def world(db):
    world = make_world()
    world.expert = MembershipFactory(agency=world.case.agency, role=Role.EXPERT,
                                     title="高级工程师").user
    return world


def problem_at(world, level, **fields):
    """A problem raised by the company and escalated by the chief up to `level`."""
    problem = world.raise_problem(today=RAISED_ON, **fields)
    for _step in range(level - 1):
        problem = problem_services.escalate_problem(problem=problem, by=world.chief,
                                                    reason="需要更高层级协调", today=RAISED_ON)
    return problem


@pytest.fixture
def problem(world):
    return problem_at(world, ProblemLevel.JOINT_MEETING)


def convene(world, problems, **overrides):
    starts_at = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    arguments = dict(
        by=world.chief, case=world.case, title="消防审查问题联席会议", kind=MeetingKind.JOINT,
        starts_at=starts_at, ends_at=starts_at + 2 * HOUR, place="三楼会议室",
        agenda="协调消防设计审查意见", representatives=[world.department],
        problems=problems,
    )
    arguments.update(overrides)
    return services.convene_meeting(**arguments)


def _snapshot():
    return (Meeting.objects.count(), MeetingAttendee.objects.count(),
            MeetingEntry.objects.count(), LedgerEntry.objects.count(),
            Notification.objects.count())


def _other_case_problem(world):
    other = make_world(agency=world.case.agency)
    return other.raise_problem(today=RAISED_ON)


# ------------------------------------------------------------------------------ services


def test_convening_on_a_problem_links_it_and_records_it_in_its_history(world, problem):
    meeting = convene(world, [problem, problem])
    assert list(meeting.problems.all()) == [problem]
    assert list(problem.meetings.all()) == [meeting]
    entry = LedgerEntry.objects.get(action="problem_on_agenda")
    assert entry.details["problem"] == problem.number and entry.details["meeting"] == meeting.pk
    assert entry.actor == world.chief and entry.actor_role == Role.CHIEF_SPECIALIST
    assert entry.reason == meeting.title
    history = problem_history(problem)
    assert "problem_on_agenda" in {e.action for e in history}
    convened = MeetingEntry.objects.get(meeting=meeting, action="convene")
    assert convened.details["problems"] == [problem.number]
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN and problem.level == ProblemLevel.JOINT_MEETING


def test_meeting_on_a_project_takes_the_projects_problems_under_its_agency(world, problem):
    meeting = convene(world, [problem], case=None, project=world.case.project)
    assert list(meeting.problems.all()) == [problem]
    assert LedgerEntry.objects.filter(action="problem_on_agenda").count() == 1


def _closed(world, problem):
    return problem_services.close_problem(problem=problem, by=world.chief, reason="企业撤回")


def _forwarded(world, problem):
    return problem_services.send_feedback_letter(problem=problem, by=world.chief,
                                                 addressee="市自然资源局", content="请协调")


@pytest.mark.parametrize("spoil", [_closed, _forwarded])
def test_a_closed_or_forwarded_problem_changes_nothing(world, problem, spoil):
    problem = spoil(world, problem)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        convene(world, [problem])
    assert "problems" in error.value.message_dict
    assert problem.number in error.value.message_dict["problems"][0]
    assert _snapshot() == before


def test_another_cases_problem_changes_nothing_not_even_the_good_one(world, problem):
    stranger = _other_case_problem(world)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        convene(world, [problem, stranger])
    assert error.value.message_dict["problems"] == [
        f"Problem {stranger.number} belongs to another case."]
    assert _snapshot() == before
    assert not problem.meetings.exists()


def test_a_problem_outside_the_projects_agency_tree_or_project_is_refused(world, problem):
    elsewhere = make_world(agency=AgencyFactory()).raise_problem(today=RAISED_ON)
    other_project = _other_case_problem(world)
    before = _snapshot()
    for stranger in (elsewhere, other_project):
        with pytest.raises(ValidationError) as error:
            convene(world, [stranger], case=None, project=world.case.project)
        assert error.value.message_dict["problems"] == [
            f"Problem {stranger.number} concerns another project."]
    with pytest.raises(ValidationError) as error:
        convene(world, [elsewhere], case=None, project=None, new_project_name="新项目",
                agency=world.case.agency)
    assert error.value.message_dict["problems"] == [
        f"Problem {elsewhere.number} is outside the convening agency's area."]
    assert _snapshot() == before


def test_published_minutes_tell_those_the_problem_concerns(world, problem):
    meeting = convene(world, [problem], experts=[world.expert])
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - 2 * HOUR, ends_at=timezone.now() - HOUR)
    services.record_minutes(meeting=meeting, by=world.chief, minutes="会议议定如下。")
    Notification.objects.all().delete()
    services.publish_minutes(meeting=meeting, by=world.chief)
    minutes = Notification.objects.filter(event="meeting_minutes_published")
    by_user = {n.recipient_id: n for n in minutes}
    assert len(by_user) == minutes.count()  # one notice each
    for user in (world.applicant, world.specialist):
        notice = by_user[user.pk]
        assert problem.number in notice.subject and notice.case_id == problem.case_id
    for user in (world.department, world.expert):
        assert problem.number not in by_user[user.pk].subject


def test_the_minutes_reach_a_problems_specialist_who_was_not_invited(world, problem):
    meeting = convene(world, [problem], case=None, project=world.case.project,
                      company_contacts=[])
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - 2 * HOUR, ends_at=timezone.now() - HOUR)
    services.record_minutes(meeting=meeting, by=world.chief, minutes="会议议定如下。")
    services.publish_minutes(meeting=meeting, by=world.chief)
    notice = Notification.objects.get(event="meeting_minutes_published",
                                      recipient=world.specialist)
    assert problem.number in notice.subject


# ------------------------------------------------------------------------------ workflow


@pytest.mark.parametrize("state", list(ProblemState))
@pytest.mark.parametrize("level", list(ProblemLevel))
def test_which_meeting_a_chief_may_convene(state, level):
    meeting = problem_meeting_for(state, level, {Role.CHIEF_SPECIALIST})
    if state in AGENDA_PROBLEM_STATES and level >= ProblemLevel.JOINT_MEETING:
        expected = {ProblemLevel.JOINT_MEETING: MeetingKind.JOINT,
                    ProblemLevel.LEADERSHIP_MEETING: MeetingKind.LEADERSHIP}[level]
        assert meeting.kind == expected
    else:
        assert meeting is None
    for role in (Role.SPECIALIST, Role.SUPERVISOR, Role.DEPARTMENT_REPRESENTATIVE,
                 Role.APPLICANT):
        assert problem_meeting_for(state, level, {role}) is None


# ------------------------------------------------------------------------------ pages


def _problem_page(client, problem):
    return client.get(reverse("problems:detail", args=[problem.pk]),
                      headers={"accept-language": "en"})


def _convene_url(problem):
    return reverse("meetings:convene") + f"?problem={problem.pk}"


@pytest.mark.parametrize("level", list(ProblemLevel))
@pytest.mark.parametrize("role", [Role.CHIEF_SPECIALIST, Role.SPECIALIST, Role.SUPERVISOR,
                                  Role.DEPARTMENT_REPRESENTATIVE, Role.APPLICANT])
def test_convene_button_by_level_and_role(client, world, level, role):
    problem = problem_at(world, level)
    client.force_login(world.user(role))
    response = _problem_page(client, problem)
    page = response.content.decode()
    if role == Role.CHIEF_SPECIALIST and level >= ProblemLevel.JOINT_MEETING:
        assert response.context["convene"] is not None
        assert f'href="{_convene_url(problem)}"' in page
        if level == ProblemLevel.JOINT_MEETING:
            assert 'data-meeting-kind="joint"' in page and "Convene a joint meeting" in page
        else:
            assert 'data-meeting-kind="leadership"' in page
            assert "Convene a leadership special meeting" in page
    else:
        assert 'id="problem-convene"' not in page


def test_no_button_on_a_closed_problem(client, world, problem):
    _closed(world, problem)
    client.force_login(world.chief)
    assert 'id="problem-convene"' not in _problem_page(client, problem).content.decode()


@pytest.mark.parametrize("level, kind", [(ProblemLevel.JOINT_MEETING, MeetingKind.JOINT),
                                         (ProblemLevel.LEADERSHIP_MEETING,
                                          MeetingKind.LEADERSHIP)])
def test_convene_page_is_prefilled_from_the_problem(client, world, level, kind):
    problem = problem_at(world, level)
    closed = _closed(world, world.raise_problem(title="已解决的问题", today=RAISED_ON))
    client.force_login(world.chief)
    response = client.get(_convene_url(problem))
    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["case"] == world.case
    assert f'name="case" value="{world.case.pk}"' in response.content.decode()
    assert form.initial["title"] == problem.title
    assert form.initial["kind"] == kind
    assert problem.title in form.initial["agenda"]
    assert problem.description in form.initial["agenda"]
    assert form.initial["representatives"] == [world.department.pk]
    assert form.initial["problems"] == [problem.pk]
    choices = set(form.fields["problems"].queryset)
    assert problem in choices and closed not in choices
    assert f'data-problem="{problem.pk}"' in response.content.decode()


def test_convening_through_the_prefilled_page(client, world, problem):
    client.force_login(world.chief)
    url = _convene_url(problem)
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    data = {"case": world.case.pk, "title": problem.title, "kind": "joint",
            "starts_at": f"{start:%Y-%m-%dT09:00}", "ends_at": f"{start:%Y-%m-%dT11:00}",
            "place": "三楼会议室", "agenda": problem.description,
            "representatives": [world.department.pk], "problems": [problem.pk]}
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meetings:detail",
                                                                   args=[meeting.pk])
    assert list(meeting.problems.all()) == [problem]
    assert LedgerEntry.objects.filter(action="problem_on_agenda").count() == 1


def test_a_forged_problem_of_another_case_is_refused_on_the_page(client, world, problem):
    stranger = _other_case_problem(world)
    client.force_login(world.chief)
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    response = client.post(_convene_url(problem), {
        "case": world.case.pk, "title": "x", "kind": "joint",
        "starts_at": f"{start:%Y-%m-%dT09:00}", "ends_at": f"{start:%Y-%m-%dT11:00}",
        "place": "x", "agenda": "x", "representatives": [world.department.pk],
        "problems": [problem.pk, stranger.pk]})
    assert response.status_code == 200 and response.context["form"].errors["problems"]
    assert not Meeting.objects.exists()


def test_convene_page_refuses_problems_the_user_may_not_convene_on(client, world, problem):
    client.force_login(world.specialist)
    assert client.get(_convene_url(problem)).status_code == 404
    client.force_login(MembershipFactory(role=Role.CHIEF_SPECIALIST).user)  # another agency
    assert client.get(_convene_url(problem)).status_code == 404
    client.force_login(world.chief)
    assert client.get(reverse("meetings:convene") + "?problem=abc").status_code == 404
    assert client.get(reverse("meetings:convene") + "?problem=999999").status_code == 404


def test_convene_page_warns_about_a_closed_problem(client, world, problem):
    _closed(world, problem)
    client.force_login(world.chief)
    response = client.get(_convene_url(problem))
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert response.context["problem"] is None and not response.context["form"].initial


# ------------------------------------------------------------------------------ visibility


def _meeting_page(client, meeting):
    return client.get(reverse("meetings:detail", args=[meeting.pk]))


@pytest.mark.parametrize("role", [Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.SPECIALIST,
                                  Role.APPLICANT, Role.DEPARTMENT_REPRESENTATIVE])
def test_those_who_see_both_see_the_link_both_ways(client, world, problem, role):
    meeting = convene(world, [problem])
    client.force_login(world.user(role))
    assert f'data-problem="{problem.pk}"' in _meeting_page(client, meeting).content.decode()
    assert f'data-meeting="{meeting.pk}"' in _problem_page(client, problem).content.decode()


def test_an_invited_expert_sees_the_meeting_but_not_the_problem(client, world, problem):
    meeting = convene(world, [problem], experts=[world.expert],
                      representatives=[world.department, world.other_department])
    for user in (world.expert, world.other_department):
        client.force_login(user)
        response = _meeting_page(client, meeting)
        assert response.status_code == 200
        assert f'data-problem="{problem.pk}"' not in response.content.decode()
        assert _problem_page(client, problem).status_code == 404


def test_a_department_not_invited_sees_the_problem_but_not_the_meeting(client, world, problem):
    meeting = convene(world, [problem], representatives=[world.other_department])
    client.force_login(world.department)
    page = _problem_page(client, problem).content.decode()
    assert f'data-meeting="{meeting.pk}"' not in page
    assert _meeting_page(client, meeting).status_code == 404


# ------------------------------------------------------------------------------ queries


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_problem_page_query_count_does_not_grow_with_its_meetings(
        client, world, problem, django_assert_num_queries):
    convene(world, [problem])
    client.force_login(world.chief)
    url = reverse("problems:detail", args=[problem.pk])
    client.get(url)
    one = _count(client, url)
    for _n in range(4):
        convene(world, [problem])
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.decode().count("data-meeting=") == 5


def test_meeting_page_query_count_does_not_grow_with_its_problems(
        client, world, problem, django_assert_num_queries):
    client.force_login(world.chief)
    url = reverse("meetings:detail", args=[convene(world, [problem]).pk])
    client.get(url)
    one = _count(client, url)
    problems = [problem, *(world.raise_problem(title=f"问题{n}", today=RAISED_ON)
                           for n in range(4))]
    url = reverse("meetings:detail", args=[convene(world, problems).pk])
    client.get(url)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.decode().count('data-problem="') == 5
