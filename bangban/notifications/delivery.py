"""Delivering outbox messages: claim a due row, send it, record the outcome.

A claim is a conditional UPDATE — `… SET state = 'sending' WHERE pk = ? AND state = <seen>
AND next_attempt_at <= now` — so of two workers that see the same row, one gets it and the
other updates nothing. The claim holds a lease (`claimed_until`, mirrored in
`next_attempt_at` so one indexed column says when the worker must look at the row again) and
a fresh `claim_token`; the outcome is written only while the token still matches. A worker
that dies mid-send leaves the row *sending*; once the lease has run out, the next worker
claims it again and sends it with the same idempotency key, first asking the provider
whether it already has the message.
"""

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from bangban.notifications.backends import DeliveryError, get_sms_backend, send_email
from bangban.notifications.models import DUE_STATES, Channel, OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

# How many due rows one claim looks at, so that workers racing for the first row still find
# work further down.
CLAIM_CANDIDATES = 5
ERROR_MAX = 2000


def retry_delay(attempt, *, jitter=random.random):
    """How long to wait after failed attempt number `attempt` (1, 2, …): the base delay
    doubled per attempt, capped, plus up to 10 % so messages that failed together spread
    out."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** (attempt - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * (1 + 0.1 * jitter()))


def due_candidates(now, limit=CLAIM_CANDIDATES):
    """[(pk, state, attempts)] of the most overdue messages, as this worker sees them now."""
    return list(
        OutboxMessage.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "state", "attempts")[:limit]
    )


def claim(pk, state, attempts, *, now):
    """Claims the message if it is still as seen (same state, still due); returns it, or
    None when another worker was first. A message whose lease ran out on its final attempt
    is marked dead instead."""
    unchanged = OutboxMessage.objects.filter(pk=pk, state=state, next_attempt_at__lte=now)
    if state == OutboxState.SENDING and attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        unchanged.update(
            state=OutboxState.DEAD, next_attempt_at=None, claimed_until=None, claim_token=None,
            last_error=f"Gave up after {attempts} attempts: the worker stopped while sending "
                       f"(it may have reached the recipient).",
        )
        return None
    lease_end = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = unchanged.update(
        state=OutboxState.SENDING, attempts=F("attempts") + 1, claim_token=uuid.uuid4(),
        claimed_until=lease_end, next_attempt_at=lease_end,
    )
    return OutboxMessage.objects.get(pk=pk) if claimed else None


def claim_next_message(*, now=None):
    """Claims the most overdue message for this worker and returns it, or None when nothing
    is due."""
    now = now or timezone.now()
    for pk, state, attempts in due_candidates(now):
        message = claim(pk, state, attempts, now=now)
        if message is not None:
            return message
    return None


def _send(message):
    if message.channel == Channel.SMS:
        backend = get_sms_backend()
        if message.attempts > 1:
            # An earlier attempt may have reached the provider before its worker died or
            # timed out: ask before sending again.
            already = backend.find_sent(message.address, message.idempotency_key,
                                        message.created_at)
            if already:
                return already
        return backend.send(message.address, message.body, message.idempotency_key)
    if message.channel == Channel.EMAIL:
        return send_email(message.address, message.subject, message.body,
                          message.idempotency_key)
    raise DeliveryError(f"No delivery for channel {message.channel!r}")


def _still_claimed(message):
    return OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxState.SENDING, claim_token=message.claim_token
    )


def deliver_message(message, *, now=None):
    """Sends a claimed message and records the outcome; returns the new state."""
    try:
        provider_message_id = _send(message)
    except DeliveryError as error:
        return record_failure(message, str(error), retryable=error.retryable, now=now)
    except Exception as error:
        # A bug or a misconfiguration: recorded and retried like any failure, never lost.
        logger.exception("Outbox message %s: unexpected error", message.pk)
        return record_failure(message, f"{type(error).__name__}: {error}", retryable=True,
                              now=now)
    return record_sent(message, provider_message_id, now=now)


def record_sent(message, provider_message_id, *, now=None):
    updated = _still_claimed(message).update(
        state=OutboxState.SENT, sent_at=now or timezone.now(),
        provider_message_id=str(provider_message_id or "")[:128], last_error="",
        next_attempt_at=None, claimed_until=None, claim_token=None,
    )
    if not updated:
        logger.warning("Outbox message %s was sent after its lease ran out; the worker that "
                       "took it over resends it under the same idempotency key.", message.pk)
    return OutboxState.SENT


def record_failure(message, error, *, retryable, now=None):
    now = now or timezone.now()
    if retryable and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        state, next_attempt_at = OutboxState.RETRYING, now + retry_delay(message.attempts)
    else:
        state, next_attempt_at = OutboxState.DEAD, None
    updated = _still_claimed(message).update(
        state=state, next_attempt_at=next_attempt_at, last_error=error[:ERROR_MAX],
        claimed_until=None, claim_token=None,
    )
    if updated:
        log = logger.error if state == OutboxState.DEAD else logger.warning
        log("Outbox message %s (%s), attempt %s: %s → %s", message.pk, message.channel,
            message.attempts, error, state)
    return state
