"""Which ledger entries become deliveries, for whom, with what in them — written in the same
transaction as the entry."""

import json

import pytest
from django.db import transaction

from bangban.cases import services as case_services
from bangban.cases.workflow import ItemState
from bangban.notifications.services import in_app_only
from bangban.webhooks import jobs
from bangban.webhooks.models import WebhookDelivery
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

RECEIVER = "http://127.0.0.1:9/hooks"  # never contacted in these tests


def start_preparing(item):
    case_services.start_preparing(item=item, by=item.case.specialist)


def test_an_item_action_queues_one_delivery_per_subscribed_endpoint(item, endpoint_for):
    items = endpoint_for(RECEIVER, events=["item.*"], name="items")
    single = endpoint_for(RECEIVER, events=["item.start_preparing"], name="single")
    endpoint_for(RECEIVER, events=["case.*", "item.approve"], name="others")
    start_preparing(item)
    deliveries = WebhookDelivery.objects.order_by("endpoint__name")
    assert [(d.endpoint, d.event) for d in deliveries] == [
        (items, "item.start_preparing"), (single, "item.start_preparing")]
    assert deliveries[0].delivery_id != deliveries[1].delivery_id
    assert deliveries[0].body == deliveries[1].body
    assert all(d.state == "pending" and d.next_attempt_at for d in deliveries)


def test_the_payload_names_the_case_project_matter_and_states_but_no_person(item,
                                                                            endpoint_for):
    endpoint_for(RECEIVER)
    start_preparing(item)
    delivery = WebhookDelivery.objects.get()
    entry = item.ledger.get()
    assert delivery.ledger_entry == entry
    assert delivery.case == item.case
    data = json.loads(delivery.body)
    assert data == {
        "event": "item.start_preparing",
        "action": "start_preparing",
        "occurred_at": entry.at.isoformat(),
        "ledger_entry_id": entry.pk,
        "actor_role": "specialist",
        "from_state": ItemState.PLANNED,
        "to_state": ItemState.PREPARING,
        "case": {"id": item.case.pk, "number": item.case.number, "state": item.case.state,
                 "agency": "bincheng"},
        "project": {"id": item.case.project_id, "code": "2026-371602-47-01-000123"},
        "item": {"id": item.pk, "matter_code": "JS001", "state": ItemState.PREPARING},
        "details": {},
    }
    specialist, contact = item.case.specialist, item.case.company_contact
    for personal in (specialist.phone, specialist.full_name, contact.phone, contact.name):
        assert personal not in delivery.body


def test_free_text_and_names_in_the_ledger_details_stay_out(item, endpoint_for):
    endpoint_for(RECEIVER, events=["*.problem_*"])
    case_services.record_ledger(
        case=item.case, item=item, by=item.case.specialist, role="specialist",
        action="problem_raise", reason="联系人李四 13900001111 说材料丢了",
        problem="WT2026000001", level=1, signed_by="李四", tracking_number="SF123",
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "item.problem_raise"
    assert json.loads(delivery.body)["details"] == {"problem": "WT2026000001", "level": 1}
    for secret in ("李四", "13900001111", "SF123"):
        assert secret not in delivery.body


def test_an_action_that_is_rolled_back_queues_and_sends_nothing(item, endpoint_for,
                                                                receiver):
    endpoint_for(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        start_preparing(item)
        assert WebhookDelivery.objects.count() == 1  # queued inside the transaction …
        raise RuntimeError("something later in the same request failed")
    assert WebhookDelivery.objects.count() == 0  # … and gone with it
    item.refresh_from_db()
    assert item.state == ItemState.PLANNED
    assert jobs.deliver_due_webhooks() == 0
    assert receiver.requests == []


def test_an_agency_endpoint_receives_its_subtree_only(item, endpoint_for):
    county = item.case.agency
    city = county.parent
    own = endpoint_for(RECEIVER, agency=county, name="county")
    above = endpoint_for(RECEIVER, agency=city, name="city")
    other_city = AgencyFactory(code="dongying", level="city")
    endpoint_for(RECEIVER, agency=other_city, name="other city")
    endpoint_for(RECEIVER, agency=AgencyFactory(code="boxing", level="county", parent=city),
                 name="sibling county")
    start_preparing(item)
    assert set(WebhookDelivery.objects.values_list("endpoint", flat=True)) == {own.pk,
                                                                              above.pk}


def test_an_inactive_endpoint_gets_nothing(item, endpoint_for, admin_user):
    from bangban.webhooks.services import deactivate_endpoint

    deactivate_endpoint(endpoint=endpoint_for(RECEIVER), by=admin_user)
    start_preparing(item)
    assert WebhookDelivery.objects.count() == 0


def test_demo_history_queues_nothing(item, endpoint_for):
    endpoint_for(RECEIVER)
    with in_app_only():
        start_preparing(item)
    assert WebhookDelivery.objects.count() == 0


def test_a_ledger_entry_costs_one_query_to_find_endpoints_and_one_insert(
        item, endpoint_for, django_assert_num_queries):
    case = item.case
    case.agency  # loaded, as the services' locked case is
    with django_assert_num_queries(2):  # the entry, the endpoints
        case_services.record_ledger(case=case, by=case.specialist, role="specialist",
                                    action="log_contact", reason="电话联系")
    endpoint_for(RECEIVER, events=["case.*"])
    endpoint_for(RECEIVER, events=["*"], name="second")
    case.project  # loaded for the payload, as the services' locked case is
    with django_assert_num_queries(3):  # the entry, the endpoints, both deliveries at once
        case_services.record_ledger(case=case, by=case.specialist, role="specialist",
                                    action="log_contact", reason="电话联系")
    assert WebhookDelivery.objects.count() == 2
