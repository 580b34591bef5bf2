"""Delivering outbox messages: claim a due row, send it, record the outcome.

Claims, leases and retries are `bangban.notifications.outbox` (shared with webhook
deliveries). A worker that dies mid-send leaves the row *sending*; once the lease has run
out, the next worker claims it again and sends it with the same idempotency key, first asking
the provider whether it already has the message.
"""

import logging

from bangban.notifications.backends import DeliveryError, get_sms_backend, send_email
from bangban.notifications.models import DUE_STATES, Channel, OutboxMessage
from bangban.notifications.outbox import Outbox

logger = logging.getLogger(__name__)

__all__ = ["DUE_STATES", "claim", "claim_next_message", "deliver_message", "due_candidates",
           "record_failure", "record_sent", "retry_delay"]

MESSAGES = Outbox(OutboxMessage, "Outbox message")
retry_delay = MESSAGES.retry_delay
due_candidates = MESSAGES.due_candidates
claim = MESSAGES.claim
claim_next_message = MESSAGES.claim_next


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
    return MESSAGES.record_sent(
        message, now=now, provider_message_id=str(provider_message_id or "")[:128])


def record_failure(message, error, *, retryable, now=None):
    return MESSAGES.record_failure(message, error, retryable=retryable, now=now)
