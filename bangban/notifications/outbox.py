"""Claiming, leasing and retrying rows of an outbox table, for any model built on
`OutboxDelivery`: e-mail and SMS (`OutboxMessage`) and webhook deliveries
(`bangban.webhooks`) share this code and differ only in how a row is sent.

A claim is a conditional UPDATE — `… SET state = 'sending' WHERE pk = ? AND state = <seen>
AND next_attempt_at <= now` — so of two workers that see the same row, one gets it and the
other updates nothing. The claim holds a lease (`claimed_until`, mirrored in
`next_attempt_at` so one indexed column says when a worker must look at the row again) and a
fresh `claim_token`; the outcome is written only while the token still matches. A worker
that dies mid-send leaves the row *sending*; once the lease has run out, the next worker
claims it again.
"""

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from bangban.core.worker import stop_requested
from bangban.notifications.models import DUE_STATES, OutboxDelivery, OutboxState

logger = logging.getLogger(__name__)

# How many due rows one claim looks at, so that workers racing for the first row still find
# work further down.
CLAIM_CANDIDATES = 5
ERROR_MAX = 2000
# Rows one worker job handles before the worker moves on to its other jobs.
BATCH = 100


@dataclass(frozen=True)
class Outbox:
    """One outbox table and the settings (by name, so tests can override them) of its retry
    policy."""

    model: type[OutboxDelivery]
    label: str
    max_attempts_setting: str = "OUTBOX_MAX_ATTEMPTS"
    lease_setting: str = "OUTBOX_LEASE_SECONDS"
    retry_base_setting: str = "OUTBOX_RETRY_BASE_SECONDS"
    retry_max_setting: str = "OUTBOX_RETRY_MAX_SECONDS"

    @property
    def max_attempts(self):
        return getattr(settings, self.max_attempts_setting)

    def retry_delay(self, attempt, *, jitter=random.random):
        """How long to wait after failed attempt number `attempt` (1, 2, …): the base delay
        doubled per attempt, capped, plus up to 10 % so rows that failed together spread
        out."""
        base = getattr(settings, self.retry_base_setting)
        seconds = min(base * 2 ** (attempt - 1), getattr(settings, self.retry_max_setting))
        return timedelta(seconds=seconds * (1 + 0.1 * jitter()))

    def due_candidates(self, now, limit=CLAIM_CANDIDATES):
        """[(pk, state, attempts)] of the most overdue rows, as this worker sees them now."""
        return list(
            self.model.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "state", "attempts")[:limit]
        )

    def claim(self, pk, state, attempts, *, now):
        """Claims the row if it is still as seen (same state, still due); returns it, or None
        when another worker was first. A row whose lease ran out on its final attempt is
        marked dead instead."""
        unchanged = self.model.objects.filter(pk=pk, state=state, next_attempt_at__lte=now)
        if state == OutboxState.SENDING and attempts >= self.max_attempts:
            unchanged.update(
                state=OutboxState.DEAD, next_attempt_at=None, claimed_until=None,
                claim_token=None,
                last_error=f"Gave up after {attempts} attempts: the worker stopped while "
                           f"sending (it may have reached the recipient).",
            )
            return None
        lease_end = now + timedelta(seconds=getattr(settings, self.lease_setting))
        claimed = unchanged.update(
            state=OutboxState.SENDING, attempts=F("attempts") + 1, claim_token=uuid.uuid4(),
            claimed_until=lease_end, next_attempt_at=lease_end,
        )
        return self.model.objects.get(pk=pk) if claimed else None

    def claim_next(self, *, now=None):
        """Claims the most overdue row for this worker and returns it, or None when nothing
        is due."""
        now = now or timezone.now()
        for pk, state, attempts in self.due_candidates(now):
            row = self.claim(pk, state, attempts, now=now)
            if row is not None:
                return row
        return None

    def deliver_due(self, deliver, *, batch=BATCH):
        """The worker job: claims due rows one by one and calls `deliver(row)` on each (up to
        `batch`, or until the worker is asked to stop); returns how many it tried."""
        handled = 0
        while handled < batch and not stop_requested():
            row = self.claim_next()
            if row is None:
                break
            deliver(row)
            handled += 1
        return handled

    def _still_claimed(self, row):
        return self.model.objects.filter(
            pk=row.pk, state=OutboxState.SENDING, claim_token=row.claim_token
        )

    def record_sent(self, row, *, now=None, **fields):
        """Marks a claimed row sent (with `fields`, e.g. the provider's id), if this worker
        still holds the claim."""
        updated = self._still_claimed(row).update(
            state=OutboxState.SENT, sent_at=now or timezone.now(), last_error="",
            next_attempt_at=None, claimed_until=None, claim_token=None, **fields,
        )
        if not updated:
            logger.warning("%s %s was sent after its lease ran out; the worker that took it "
                           "over sends it again under the same idempotency key.",
                           self.label, row.pk)
        return OutboxState.SENT

    def record_failure(self, row, error, *, retryable, now=None, **fields):
        """Schedules the next attempt of a claimed row, or gives up on it (dead) after the
        last attempt or a permanent error; returns the new state."""
        now = now or timezone.now()
        if retryable and row.attempts < self.max_attempts:
            state, next_attempt_at = OutboxState.RETRYING, now + self.retry_delay(row.attempts)
        else:
            state, next_attempt_at = OutboxState.DEAD, None
        updated = self._still_claimed(row).update(
            state=state, next_attempt_at=next_attempt_at, last_error=error[:ERROR_MAX],
            claimed_until=None, claim_token=None, **fields,
        )
        if updated:
            log = logger.error if state == OutboxState.DEAD else logger.warning
            log("%s %s, attempt %s: %s → %s", self.label, row.pk, row.attempts, error, state)
        return state

    def requeue(self, pks):
        """Failed rows (dead, or waiting for their next retry) among `pks` are due again now,
        with a fresh set of attempts; rows in any other state are left alone. Returns how
        many."""
        return self.model.objects.filter(
            pk__in=pks, state__in=[OutboxState.DEAD, OutboxState.RETRYING],
        ).update(state=OutboxState.PENDING, attempts=0, next_attempt_at=timezone.now(),
                 claimed_until=None, claim_token=None)
