"""Issuing the progress query code: who may, when, what is recorded, who reads it."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.cases.templatetags.case_tags import ledger_action
from bangban.cases.workflow import CaseState
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.models import Notification
from bangban.public.models import ProgressQueryCode
from bangban.public.services import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH, issue_query_code
from bangban.public.tests.conftest import make_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.CHIEF_SPECIALIST])
def test_specialist_or_chief_issues_a_code_with_a_ledger_entry(world, role):
    record = issue_query_code(case=world.case, by=world.user(role))
    assert len(record.code) == QUERY_CODE_LENGTH
    assert set(record.code) <= set(QUERY_CODE_ALPHABET)
    entry = LedgerEntry.objects.get(case=world.case, action="query_code_issued")
    assert entry.actor_role == role and entry.details == {"reissued": False}
    assert str(ledger_action(entry)) == "Progress query code issued"
    notification = Notification.objects.get(recipient=world.applicant,
                                            event="query_code_issued")
    assert record.code not in notification.subject + notification.body
    issue_query_code(case=world.case, by=world.user(role))
    assert ProgressQueryCode.objects.count() == 1
    assert LedgerEntry.objects.filter(action="query_code_issued").last().details == {
        "reissued": True}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.APPLICANT, "outsider"])
def test_others_may_not_issue_a_code(world, role):
    with pytest.raises(NotAllowed):
        issue_query_code(case=world.case, by=world.user(role))
    assert not ProgressQueryCode.objects.exists()


@pytest.mark.parametrize("state", [CaseState.SUBMITTED, CaseState.REJECTED,
                                   CaseState.TERMINATED])
def test_no_code_for_a_case_not_taken_on_or_terminated(db, state):
    world = make_world(state=state)
    with pytest.raises(InvalidTransition):
        issue_query_code(case=world.case, by=world.specialist)
    assert not ProgressQueryCode.objects.exists()


def test_no_code_for_a_project_without_a_project_code(db):
    world = make_world(project_code=None)
    with pytest.raises(ValidationError):
        issue_query_code(case=world.case, by=world.specialist)
    assert not LedgerEntry.objects.exists()


def test_specialist_issues_through_the_page_and_the_company_reads_it(client, world):
    url = reverse("public:query_code", args=[world.case.pk])
    client.force_login(world.specialist)
    assert client.post(url).status_code == 302
    code = ProgressQueryCode.objects.get().code
    client.force_login(world.applicant)
    response = client.get(url)
    assert response.context["record"].code == code and not response.context["can_issue"]
    assert code in response.content.decode()


def test_forged_posts_get_403_or_404_and_change_nothing(client, world):
    url = reverse("public:query_code", args=[world.case.pk])
    client.force_login(world.applicant)
    assert client.post(url).status_code == 403
    client.force_login(world.supervisor)
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert not ProgressQueryCode.objects.exists()


def test_a_refused_issue_is_a_message(client, db):
    world = make_world(project_code=None)
    client.force_login(world.specialist)
    url = reverse("public:query_code", args=[world.case.pk])
    response = client.post(url, follow=True, headers={"accept-language": "en"})
    assert "The project has no project code yet" in response.content.decode()
    assert not ProgressQueryCode.objects.exists()


def test_the_case_page_partial_shows_the_code_to_the_company_and_issuers_only(world):
    record = issue_query_code(case=world.case, by=world.specialist)
    template = Template("{% load public_tags %}{% case_query_code case %}")
    for user, shown in ((world.applicant, True), (world.specialist, True),
                        (world.chief, True), (world.supervisor, False), (world.outsider, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"case": world.case, "request": request}))
        assert (record.code in html) is shown
