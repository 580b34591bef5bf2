"""Supervision notices reach webhook endpoints like every other ledger entry: one delivery per
subscribed endpoint, written with the entry, with codes and dates but no free text or names."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import ItemState
from bangban.supervision import services
from bangban.supervision.jobs import scan_supervision
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.tests.conftest import DUE, TODAY
from bangban.supervision.workflow import NoticeLevel, NoticeState, ReferralBody
from bangban.webhooks.models import WebhookDelivery
from bangban.webhooks.services import create_endpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
RECEIVER = "http://127.0.0.1:9/hooks"  # never contacted in these tests


@pytest.fixture
def endpoint_for(db):
    admin = UserFactory(is_staff=True, is_superuser=True)

    def make(*events, name="督办平台"):
        return create_endpoint(by=admin, name=name, url=RECEIVER, events=events)
    return make


@pytest.fixture
def subscribed(endpoint_for):
    """Subscribed to the supervision group; a second endpoint to everything else it might
    be mistaken for."""
    endpoint_for("*.problem_*", "case.*", "item.approve", "item.extend", name="others")
    return endpoint_for("*.supervision_*")


def only_delivery(endpoint):
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == endpoint
    return delivery, json.loads(delivery.body)


def assert_no_person_or_free_text(delivery, world, *texts):
    for person in (world.specialist, world.chief, world.department):
        assert person.full_name not in delivery.body
        assert person.username not in delivery.body
    for text in texts:
        assert text not in delivery.body


def test_issuing_a_notice_queues_one_delivery_with_its_number_level_and_dates(world,
                                                                              subscribed):
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    delivery, data = only_delivery(subscribed)
    entry = LedgerEntry.objects.get(action="supervision_issue")
    assert delivery.event == "item.supervision_issue"
    assert (delivery.ledger_entry, delivery.case) == (entry, world.case)
    assert data == {
        "event": "item.supervision_issue",
        "action": "supervision_issue",
        "occurred_at": entry.at.isoformat(),
        "ledger_entry_id": entry.pk,
        "actor_role": "specialist",
        "from_state": ItemState.ACCEPTED,
        "to_state": ItemState.ACCEPTED,
        "case": {"id": world.case.pk, "number": world.case.number,
                 "state": world.case.state, "agency": world.case.agency.code},
        "project": {"id": world.case.project_id, "code": world.case.project.code or ""},
        "item": {"id": world.item.pk, "matter_code": world.item.matter.code,
                 "state": ItemState.ACCEPTED},
        "details": {"notice": notice.number, "level": NoticeLevel.NOTICE,
                    "state": NoticeState.OPEN, "item_due_date": DUE.isoformat(),
                    "response_due": "2025-03-06"},
    }
    assert_no_person_or_free_text(delivery, world)


def test_a_reply_is_delivered_without_its_text(world, subscribed):
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    WebhookDelivery.objects.all().delete()
    services.reply_to_notice(notice=notice, by=world.department, reply="材料缺失，联系人张三补正")
    delivery, data = only_delivery(subscribed)
    assert delivery.event == "item.supervision_reply"
    assert data["actor_role"] == "department_representative"
    assert data["details"] == {"notice": notice.number, "level": NoticeLevel.NOTICE,
                               "state": NoticeState.ANSWERED}
    assert_no_person_or_free_text(delivery, world, "材料缺失", "张三")


def test_escalating_and_referring_by_hand_are_delivered_without_the_notes(world, subscribed):
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    services.escalate_notice(notice=notice, by=world.chief, note="情况紧急", today=TODAY)
    services.refer_notice(notice=notice, by=world.chief, note="屡催不办",
                          referred_to=ReferralBody.AUDIT)
    deliveries = {d.event: d for d in WebhookDelivery.objects.filter(endpoint=subscribed)}
    assert set(deliveries) == {"item.supervision_issue", "item.supervision_escalate",
                               "item.supervision_refer"}
    assert WebhookDelivery.objects.count() == 3
    escalated = json.loads(deliveries["item.supervision_escalate"].body)
    assert escalated["actor_role"] == "chief_specialist"
    assert escalated["details"] == {"notice": notice.number, "level": NoticeLevel.ESCALATED,
                                    "state": NoticeState.OPEN, "response_due": "2025-03-05"}
    referred = json.loads(deliveries["item.supervision_refer"].body)
    assert referred["details"] == {"notice": notice.number, "level": NoticeLevel.REFERRED,
                                   "state": NoticeState.OPEN, "referred_to": "audit"}
    for delivery in deliveries.values():
        assert_no_person_or_free_text(delivery, world, "情况紧急", "屡催不办")


def test_an_endpoint_subscribed_to_other_events_gets_no_supervision_delivery(world,
                                                                              endpoint_for):
    endpoint_for("*.problem_*", "case.*", "item.approve", "item.extend")
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    services.reply_to_notice(notice=notice, by=world.department, reply="下周二出具意见")
    services.close_notice(notice=notice, by=world.chief, note="已出具意见")
    assert LedgerEntry.objects.filter(action__startswith="supervision_").count() == 3
    assert not WebhookDelivery.objects.exists()


def test_a_single_supervision_event_is_delivered_alone(world, endpoint_for):
    endpoint = endpoint_for("item.supervision_close")
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    services.reply_to_notice(notice=notice, by=world.department, reply="下周二出具意见")
    assert not WebhookDelivery.objects.exists()
    services.close_notice(notice=notice, by=world.chief, note="已出具意见")
    delivery, data = only_delivery(endpoint)
    assert delivery.event == "item.supervision_close"
    assert data["details"]["state"] == NoticeState.CLOSED
    assert "已出具意见" not in delivery.body


def test_a_refused_action_queues_nothing(world, subscribed):
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    WebhookDelivery.objects.all().delete()
    with pytest.raises(ValidationError):
        services.reply_to_notice(notice=notice, by=world.department, reply="  ")
    assert not WebhookDelivery.objects.exists()


def test_the_scan_queues_its_issues_escalations_and_referrals(world, subscribed):
    assert scan_supervision(TODAY) == 1
    assert scan_supervision(D(2025, 3, 7)) == 1
    assert scan_supervision(D(2025, 3, 12)) == 1
    notice = SupervisionNotice.objects.get()
    deliveries = list(WebhookDelivery.objects.order_by("ledger_entry_id"))
    assert [d.endpoint for d in deliveries] == [subscribed] * 3
    assert [d.event for d in deliveries] == ["item.supervision_issue",
                                             "item.supervision_escalate",
                                             "item.supervision_refer"]
    payloads = [json.loads(d.body) for d in deliveries]
    assert {p["actor_role"] for p in payloads} == {"system"}
    assert [p["details"] for p in payloads] == [
        {"notice": notice.number, "level": NoticeLevel.NOTICE, "state": NoticeState.OPEN,
         "item_due_date": DUE.isoformat(), "response_due": "2025-03-06"},
        {"notice": notice.number, "level": NoticeLevel.ESCALATED, "state": NoticeState.OPEN,
         "response_due": "2025-03-11"},
        {"notice": notice.number, "level": NoticeLevel.REFERRED, "state": NoticeState.OPEN,
         "referred_to": ReferralBody.DISCIPLINE_INSPECTION},
    ]
    entries = list(LedgerEntry.objects.filter(action__startswith="supervision_").order_by("pk"))
    assert [d.ledger_entry for d in deliveries] == entries
    notes = [entry.reason for entry in entries[1:]]
    assert notes == ["No reply by the deadline.", "Still no reply after escalation."]
    for delivery in deliveries:
        assert_no_person_or_free_text(delivery, world, *notes)


def test_the_ledger_entries_keep_their_content(world, endpoint_for):
    endpoint_for("*")
    notice = services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    services.reply_to_notice(notice=notice, by=world.department, reply="下周二出具意见")
    services.return_reply(notice=notice, by=world.chief, reason="未说明原因", today=TODAY)
    entries = LedgerEntry.objects.filter(action__startswith="supervision_").order_by("pk")
    accepted = ItemState.ACCEPTED
    assert [(e.case, e.item, e.actor, e.actor_role, e.action, e.reason, e.from_state,
             e.to_state, e.details) for e in entries] == [
        (world.case, world.item, world.specialist, "specialist", "supervision_issue", "",
         accepted, accepted,
         {"notice": notice.number, "level": "notice", "state": "open",
          "item_due_date": DUE.isoformat(), "response_due": "2025-03-06"}),
        (world.case, world.item, world.department, "department_representative",
         "supervision_reply", "下周二出具意见", accepted, accepted,
         {"notice": notice.number, "level": "notice", "state": "answered"}),
        (world.case, world.item, world.chief, "chief_specialist", "supervision_return_reply",
         "未说明原因", accepted, accepted,
         {"notice": notice.number, "level": "notice", "state": "open",
          "response_due": "2025-03-06"}),
    ]
    assert WebhookDelivery.objects.count() == 3
