"""Delivering the outbox: claims, outcomes, retries with backoff, dead letters."""

import logging
import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from bangban.notifications import delivery, jobs
from bangban.notifications.backends import PermanentDeliveryError, RetryableDeliveryError
from bangban.notifications.models import Channel, OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db


def queued(channel=Channel.SMS, address="13800001111", due=None, **fields):
    return OutboxMessage.objects.create(
        channel=channel, event="item_pushed", address=address, subject="事项已推送",
        body="请受理", next_attempt_at=due or timezone.now(), **fields,
    )


class FailingSms:
    def __init__(self, error):
        self.error = error

    def send(self, phone, text, idempotency_key):
        raise self.error

    def find_sent(self, phone, idempotency_key, since):
        return None


@pytest.fixture
def sms_fails(monkeypatch):
    def install(error):
        monkeypatch.setattr(delivery, "get_sms_backend", lambda: FailingSms(error))
    return install


# ------------------------------------------------------------------------------- backoff


def test_retry_delay_doubles_from_the_base_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    delays = [delivery.retry_delay(n, jitter=lambda: 0).total_seconds() for n in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_retry_delay_adds_at_most_ten_percent_jitter(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    assert delivery.retry_delay(1, jitter=lambda: 0.999).total_seconds() == pytest.approx(66, 0.01)


# -------------------------------------------------------------------------------- claims


def test_a_claim_leases_the_message_and_a_second_claim_gets_nothing(settings):
    settings.OUTBOX_LEASE_SECONDS = 120
    message = queued()
    now = timezone.now()
    claimed = delivery.claim_next_message(now=now)
    assert claimed.pk == message.pk
    assert claimed.state == OutboxState.SENDING
    assert claimed.attempts == 1
    assert claimed.claim_token is not None
    assert claimed.claimed_until == claimed.next_attempt_at == now + timedelta(seconds=120)
    assert delivery.claim_next_message(now=now) is None


def test_a_message_not_yet_due_is_not_claimed():
    queued(due=timezone.now() + timedelta(minutes=5))
    assert delivery.claim_next_message() is None


def test_the_conditional_update_fails_when_another_worker_claimed_first():
    """Both workers read the row as pending; only the first UPDATE … WHERE state = 'pending'
    changes it."""
    message = queued()
    now = timezone.now()
    seen_by_first = delivery.due_candidates(now)
    seen_by_second = delivery.due_candidates(now)
    assert seen_by_first == seen_by_second == [(message.pk, OutboxState.PENDING, 0)]
    assert delivery.claim(*seen_by_first[0], now=now).pk == message.pk
    assert delivery.claim(*seen_by_second[0], now=now) is None
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.SENDING, 1)


def test_an_expired_lease_is_claimed_again_with_a_new_token(settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    queued()
    now = timezone.now()
    first = delivery.claim_next_message(now=now)
    assert delivery.claim_next_message(now=now + timedelta(seconds=59)) is None
    second = delivery.claim_next_message(now=now + timedelta(seconds=61))
    assert second.pk == first.pk
    assert second.attempts == 2
    assert second.claim_token != first.claim_token
    # The first worker comes back late: its outcome is not recorded over the second's claim.
    delivery.record_sent(first, "late")
    second.refresh_from_db()
    assert second.state == OutboxState.SENDING
    delivery.record_sent(second, "on time")
    second.refresh_from_db()
    assert (second.state, second.provider_message_id) == (OutboxState.SENT, "on time")


def test_a_lease_that_expires_on_the_last_attempt_makes_the_message_dead(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_LEASE_SECONDS = 60
    message = queued()
    now = timezone.now()
    delivery.claim_next_message(now=now)
    delivery.claim_next_message(now=now + timedelta(seconds=61))
    assert delivery.claim_next_message(now=now + timedelta(seconds=122)) is None
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
    assert "worker stopped" in message.last_error
    assert message.next_attempt_at is None


def test_claims_take_the_most_overdue_message_first():
    now = timezone.now()
    later = queued(due=now - timedelta(minutes=1))
    earlier = queued(due=now - timedelta(minutes=5))
    assert delivery.claim_next_message(now=now).pk == earlier.pk
    assert delivery.claim_next_message(now=now).pk == later.pk


def test_the_due_query_uses_the_index():
    query = OutboxMessage.objects.filter(
        state__in=[s.value for s in delivery.DUE_STATES], next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        try:
            plan = query.explain()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_seqscan")
    else:
        plan = query.explain()
    assert "outbox_due_idx" in plan


# ------------------------------------------------------------------------------ outcomes


def test_a_delivered_sms_is_marked_sent(caplog):
    message = queued()
    with caplog.at_level(logging.INFO, logger="bangban.notifications"):
        assert jobs.deliver_due_messages() == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert message.sent_at is not None
    assert message.provider_message_id == f"log-{message.idempotency_key}"
    assert message.claim_token is None and message.next_attempt_at is None
    assert "SMS to 13800001111" in caplog.text and "请受理" in caplog.text
    assert jobs.deliver_due_messages() == 0


def test_an_e_mail_carries_a_message_id_made_from_its_idempotency_key(settings):
    settings.DEFAULT_FROM_EMAIL = "帮办 <bangban@gov.example>"
    message = queued(channel=Channel.EMAIL, address="li@example.com")
    jobs.deliver_due_messages()
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    [sent] = mail.outbox
    assert sent.to == ["li@example.com"]
    assert sent.subject == "事项已推送"
    assert sent.extra_headers["Message-ID"] == f"<{message.idempotency_key}@gov.example>"
    assert message.provider_message_id == sent.extra_headers["Message-ID"]


def test_a_failed_attempt_is_retried_later_with_the_error_recorded(settings, sms_fails):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    sms_fails(RetryableDeliveryError("Aliyun SendSms: isv.BUSINESS_LIMIT_CONTROL: 触发流控"))
    message = queued()
    before = timezone.now()
    jobs.deliver_due_messages()
    message.refresh_from_db()
    assert message.state == OutboxState.RETRYING
    assert message.attempts == 1
    assert "BUSINESS_LIMIT_CONTROL" in message.last_error
    assert before + timedelta(seconds=60) <= message.next_attempt_at
    assert message.next_attempt_at <= timezone.now() + timedelta(seconds=66)
    assert jobs.deliver_due_messages() == 0  # not due yet


def test_a_message_is_dead_after_the_last_attempt_and_kept(settings, sms_fails):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    sms_fails(RetryableDeliveryError("timeout"))
    message = queued()
    states = []
    for _ in range(3):
        claimed = delivery.claim_next_message(now=timezone.now() + timedelta(days=1))
        states.append(delivery.deliver_message(claimed))
    assert states == [OutboxState.RETRYING, OutboxState.RETRYING, OutboxState.DEAD]
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxState.DEAD, 3,
                                                                     "timeout")
    assert message.next_attempt_at is None
    assert delivery.claim_next_message(now=timezone.now() + timedelta(days=30)) is None


def test_a_permanent_error_makes_the_message_dead_at_once(sms_fails):
    sms_fails(PermanentDeliveryError("isv.MOBILE_NUMBER_ILLEGAL"))
    message = queued()
    jobs.deliver_due_messages()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.DEAD, 1)


def test_an_unexpected_error_is_recorded_and_retried(sms_fails):
    sms_fails(KeyError("boom"))
    message = queued()
    jobs.deliver_due_messages()
    message.refresh_from_db()
    assert message.state == OutboxState.RETRYING
    assert message.last_error == "KeyError: 'boom'"


def test_an_address_the_mail_server_refuses_is_dead(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"li@example.com": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    message = queued(channel=Channel.EMAIL, address="li@example.com")
    jobs.deliver_due_messages()
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD


def test_a_mail_server_that_is_down_means_retry(monkeypatch):
    def down(self, *args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    message = queued(channel=Channel.EMAIL, address="li@example.com")
    jobs.deliver_due_messages()
    message.refresh_from_db()
    assert message.state == OutboxState.RETRYING


def test_a_resend_asks_the_provider_first_and_does_not_send_again(aliyun, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    message = queued()
    now = timezone.now()
    first = delivery.claim_next_message(now=now)
    # The first worker's SendSms reached Aliyun, then the worker died before recording it.
    from bangban.notifications.backends import AliyunSmsBackend
    AliyunSmsBackend().send(first.address, first.body, first.idempotency_key)
    second = delivery.claim_next_message(now=now + timedelta(seconds=61))
    assert delivery.deliver_message(second) == OutboxState.SENT
    assert aliyun.send_calls == [str(message.idempotency_key)]
    assert aliyun.query_calls == 1
    assert aliyun.delivered[str(message.idempotency_key)] == 1


# ---------------------------------------------------------------- two workers at once


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_claim_the_same_message():
    messages = [queued(address=f"138000011{n:02d}") for n in range(20)]
    claimed = {0: [], 1: []}
    start = threading.Barrier(2)
    errors = []

    def work(worker):
        try:
            start.wait()
            while (message := delivery.claim_next_message()) is not None:
                claimed[worker].append(message.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    everything = claimed[0] + claimed[1]
    assert sorted(everything) == sorted(m.pk for m in messages)  # each exactly once
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
