"""The events an endpoint may subscribe to follow the apps' workflow tables."""

import pytest

from bangban.supervision import services as supervision_services
from bangban.supervision.workflow import LEDGER_LABELS, NOTICE_ACTIONS
from bangban.webhooks import services
from bangban.webhooks.events import EVENT_CHOICES, EVENT_GROUPS, EVENT_NAMES, subscribed


def test_every_supervision_action_is_a_single_event_in_the_supervision_group():
    events = {f"item.supervision_{name}" for name in ["issue", *NOTICE_ACTIONS]}
    assert events <= EVENT_NAMES
    assert "*.supervision_*" in EVENT_GROUPS
    assert all(subscribed(["*.supervision_*"], event) for event in events)
    assert not any(subscribed(["*.supervision_*"], event)
                   for event in EVENT_NAMES - events - set(EVENT_GROUPS))


def test_the_supervision_events_are_what_the_ledger_labels_and_the_services_write():
    labels = {name: label for name, label in EVENT_CHOICES}
    written = {f"supervision_{name}" for name in supervision_services.NOTICE_ACTION_SERVICES}
    assert {f"item.{action}" for action in [*written, "supervision_issue"]} == {
        name for name in EVENT_NAMES if name.startswith("item.supervision_")}
    for action, label in LEDGER_LABELS.items():
        assert labels[f"item.{action}"] == label


@pytest.mark.django_db
def test_an_endpoint_may_subscribe_to_the_supervision_events(admin_user):
    endpoint = services.create_endpoint(
        by=admin_user, name="督办平台", url="https://a.example.gov.cn/",
        events=["*.supervision_*", "item.supervision_issue", "item.supervision_return_reply"])
    endpoint.refresh_from_db()
    assert endpoint.events == ["*.supervision_*", "item.supervision_issue",
                               "item.supervision_return_reply"]
