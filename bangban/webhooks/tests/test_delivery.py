"""Sending deliveries to a real HTTP server on 127.0.0.1: signed, retried, never redirected."""

import json
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from bangban.cases import services as case_services
from bangban.notifications.models import OutboxState
from bangban.webhooks import jobs, services
from bangban.webhooks.delivery import WEBHOOKS, deliver
from bangban.webhooks.models import WebhookDelivery
from bangban.webhooks.signing import verify_signature

pytestmark = pytest.mark.django_db


def act(item):
    case_services.start_preparing(item=item, by=item.case.specialist)
    return WebhookDelivery.objects.get()


def later(days=1):
    """Claims the next due delivery as a worker would a day from now, and sends it."""
    delivery = WEBHOOKS.claim_next(now=timezone.now() + timedelta(days=days))
    return deliver(delivery)


def test_a_delivery_is_posted_signed_and_marked_delivered(item, endpoint_for, receiver):
    endpoint = endpoint_for(receiver.url)
    delivery = act(item)
    assert jobs.deliver_due_webhooks() == 1
    [request] = receiver.requests
    headers = request.headers
    assert request.path == "/hooks/bangban"
    assert request.body == delivery.body.encode()
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Bangban-Event"] == "item.start_preparing"
    assert headers["X-Bangban-Delivery"] == str(delivery.delivery_id)
    assert abs(int(headers["X-Bangban-Timestamp"]) - time.time()) < 60
    assert headers["X-Bangban-Signature"].startswith("sha256=")
    assert verify_signature(endpoint.secret, headers["X-Bangban-Timestamp"], request.body,
                            headers["X-Bangban-Signature"])
    assert not verify_signature("another secret", headers["X-Bangban-Timestamp"],
                                request.body, headers["X-Bangban-Signature"])
    assert json.loads(request.body)["item"]["matter_code"] == "JS001"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (
        OutboxState.SENT, 1, 200)
    assert delivery.sent_at is not None
    assert jobs.deliver_due_webhooks() == 0  # nothing left


def test_a_server_error_is_retried_later_and_then_delivered_once(item, endpoint_for,
                                                                 receiver, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    endpoint_for(receiver.url)
    delivery = act(item)
    receiver.answer(500)
    before = timezone.now()
    jobs.deliver_due_webhooks()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (
        OutboxState.RETRYING, 1, 500)
    assert delivery.last_error.startswith("HTTP 500")
    assert before + timedelta(seconds=60) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=66)
    assert jobs.deliver_due_webhooks() == 0  # not due yet

    assert later() == OutboxState.SENT
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (OutboxState.SENT, 2,
                                                                        "")
    first, second = receiver.requests
    assert [first.status, second.status] == [500, 200]  # accepted exactly once
    assert first.headers["X-Bangban-Delivery"] == second.headers["X-Bangban-Delivery"]
    assert first.body == second.body
    assert WEBHOOKS.claim_next(now=timezone.now() + timedelta(days=30)) is None


def test_after_the_last_attempt_the_delivery_is_dead_and_can_be_sent_again(
        item, endpoint_for, receiver, settings, admin_user):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    endpoint_for(receiver.url)
    delivery = act(item)
    receiver.answer(503, 502, 500)
    states = [later(days=n) for n in (1, 2, 3)]
    assert states == [OutboxState.RETRYING, OutboxState.RETRYING, OutboxState.DEAD]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (
        OutboxState.DEAD, 3, 500)
    assert delivery.next_attempt_at is None
    assert WEBHOOKS.claim_next(now=timezone.now() + timedelta(days=30)) is None

    assert services.resend_deliveries(deliveries=[delivery], by=admin_user) == 1
    assert jobs.deliver_due_webhooks() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (OutboxState.SENT, 1)
    assert len({r.headers["X-Bangban-Delivery"] for r in receiver.requests}) == 1


def test_a_receiver_that_is_down_means_retry(item, endpoint_for):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    endpoint_for(f"http://127.0.0.1:{port}/hook")
    delivery = act(item)
    jobs.deliver_due_webhooks()
    delivery.refresh_from_db()
    assert delivery.state == OutboxState.RETRYING
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.response_status is None


def test_a_receiver_that_does_not_answer_in_time_means_retry(item, endpoint_for, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint_for(f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        delivery = act(item)
        started = time.monotonic()
        jobs.deliver_due_webhooks()
        assert time.monotonic() - started < 5
    delivery.refresh_from_db()
    assert delivery.state == OutboxState.RETRYING
    assert "timed out" in delivery.last_error


def test_a_redirect_is_not_followed(item, endpoint_for, receiver):
    endpoint_for(receiver.url)
    delivery = act(item)
    receiver.answer(307, headers={"Location": "http://other-host.example/steal"})
    jobs.deliver_due_webhooks()
    delivery.refresh_from_db()
    assert delivery.state == OutboxState.RETRYING
    assert delivery.response_status == 307
    assert delivery.last_error == (
        "HTTP 307: redirect to http://other-host.example/steal not followed")
    assert len(receiver.requests) == 1


def test_a_new_secret_signs_the_retries_of_earlier_events(item, endpoint_for, receiver,
                                                          admin_user):
    endpoint = endpoint_for(receiver.url)
    act(item)
    old = endpoint.secret
    new = services.rotate_secret(endpoint=endpoint, by=admin_user)
    assert new != old and len(new) == 64
    jobs.deliver_due_webhooks()
    [request] = receiver.requests
    args = (request.headers["X-Bangban-Timestamp"], request.body,
            request.headers["X-Bangban-Signature"])
    assert verify_signature(new, *args)
    assert not verify_signature(old, *args)


def test_deliveries_of_an_endpoint_deactivated_meanwhile_are_not_sent(item, endpoint_for,
                                                                      receiver, admin_user):
    endpoint = endpoint_for(receiver.url)
    delivery = act(item)
    services.deactivate_endpoint(endpoint=endpoint, by=admin_user)
    jobs.deliver_due_webhooks()
    delivery.refresh_from_db()
    assert delivery.state == OutboxState.DEAD
    assert delivery.last_error == "Not sent: the endpoint is deactivated."
    assert receiver.requests == []
