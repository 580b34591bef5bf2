"""The delivery page of a case: for its specialist, chief specialists and supervisors; numbers
masked for supervisors; a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.workflow import ItemState
from bangban.notifications.models import Channel, Notification, OutboxMessage, OutboxState
from bangban.notifications.selectors import mask_email
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return CaseFactory(in_progress=True)


def page(case):
    return reverse("notifications:case_messages", args=[case.pk])


def sms(case, state=OutboxState.SENT, address="13912345678", **fields):
    return OutboxMessage.objects.create(
        channel=Channel.SMS, event="item_pushed", address=address, subject="事项已推送",
        body="请受理", case=case, state=state, recipient=UserFactory(),
        sent_at=timezone.now() if state == OutboxState.SENT else None, **fields,
    )


def test_the_specialist_sees_every_message_with_its_state_and_the_full_number(client, case):
    sent = sms(case)
    dead = sms(case, state=OutboxState.DEAD, last_error="isv.MOBILE_NUMBER_ILLEGAL", attempts=1)
    OutboxMessage.objects.create(channel=Channel.EMAIL, event="item_pushed", case=case,
                                 address="li@example.com", state=OutboxState.RETRYING,
                                 next_attempt_at=timezone.now(), attempts=2)
    sms(CaseFactory())  # another case's message
    Notification.objects.create(recipient=case.specialist, case=case, event="item_pushed",
                                subject="事项已推送")
    client.force_login(case.specialist)
    response = client.get(page(case), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = response.context["outbox"].object_list
    assert {m.pk for m in rows} >= {sent.pk, dead.pk}
    assert len(rows) == 3
    text = response.content.decode()
    assert "13912345678" in text
    assert "li@example.com" in text
    assert "isv.MOBILE_NUMBER_ILLEGAL" in text
    for label in ("Sent", "Failed, gave up", "Failed, will retry"):
        assert label in text
    assert len(response.context["in_app"].object_list) == 1


@pytest.mark.parametrize(("role", "masked"), [
    (Role.CHIEF_SPECIALIST, False),
    (Role.SUPERVISOR, True),
])
def test_agency_staff_see_the_page_and_supervisors_see_masked_addresses(client, case, role,
                                                                        masked):
    sms(case)
    OutboxMessage.objects.create(channel=Channel.EMAIL, event="item_pushed", case=case,
                                 address="li@example.com", state=OutboxState.SENT)
    user = MembershipFactory(agency=case.agency, role=role).user
    client.force_login(user)
    response = client.get(page(case))
    assert response.status_code == 200
    text = response.content.decode()
    assert ("13912345678" in text) is not masked
    assert ("li@example.com" in text) is not masked
    if masked:
        assert "139****5678" in text
        assert "l***@example.com" in text


def test_the_company_and_departments_do_not_see_the_delivery_page(client, case):
    contact = CompanyContactFactory(company=case.project.company)
    client.force_login(contact.user)
    assert client.get(page(case)).status_code == 403
    item = CaseItemFactory(case=case, state=ItemState.PUSHED)
    representative = MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                       department=item.department).user
    client.force_login(representative)
    assert client.get(page(case)).status_code == 403


def test_a_case_the_user_cannot_see_is_not_found(client, case):
    client.force_login(UserFactory())
    assert client.get(page(case)).status_code == 404
    client.logout()
    assert client.get(page(case)).status_code == 302


def test_the_page_costs_the_same_queries_for_3_or_30_messages(client, case,
                                                              django_assert_num_queries):
    for _ in range(3):
        sms(case)
        Notification.objects.create(recipient=UserFactory(), case=case, event="item_pushed",
                                    subject="事项已推送")
    client.force_login(case.specialist)
    with CaptureQueriesContext(connection) as few:
        client.get(page(case))
    for _ in range(27):
        sms(case)
        Notification.objects.create(recipient=UserFactory(), case=case, event="item_pushed",
                                    subject="事项已推送")
    with django_assert_num_queries(len(few)):
        response = client.get(page(case))
    assert len(response.context["outbox"].object_list) == 25  # one page


def test_mask_email():
    assert mask_email("li.ming@example.com") == "l***@example.com"
    assert mask_email("") == ""
