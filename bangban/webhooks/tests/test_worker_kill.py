"""A worker killed while a receiver holds its webhook request: nothing is lost.

The worker runs as a real process (`manage.py run_worker`) against the test database. The
receiver reads the first delivery and holds the answer; the test kills the worker with
SIGKILL, starts a new one, and checks that once the lease has run out every delivery is
delivered — the held one again, under the same X-Bangban-Delivery id, for the receiver to
recognise."""

import os
import signal
import time

import pytest

from bangban.cases import services as case_services
from bangban.core.tests.worker_process import start_worker, stop, worker_env
from bangban.notifications.models import OutboxState
from bangban.webhooks.models import WebhookDelivery
from bangban.webhooks.signing import verify_signature
from bangban.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 2
DEADLINE_SECONDS = 60


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_delivery_loses_nothing(tmp_path, item, endpoint_for):
    receiver = Receiver(hold_first=True).start()
    workers = []
    try:
        endpoint = endpoint_for(receiver.url)
        case = item.case
        for n in range(3):
            case_services.log_contact(case=case, by=case.specialist, note=f"第{n}次电话联系")
        deliveries = list(WebhookDelivery.objects.order_by("pk"))
        assert len(deliveries) == 3
        env = worker_env(tmp_path, BANGBAN_OUTBOX_LEASE_SECONDS=LEASE_SECONDS,
                         BANGBAN_WORKER_SLEEP_SECONDS=0.1)
        log = tmp_path / "worker.log"

        first = start_worker(env, log)
        workers.append(first)
        assert receiver.held.wait(timeout=DEADLINE_SECONDS), log.read_text(errors="replace")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        held_id = receiver.delivery_ids()[0]
        held = WebhookDelivery.objects.get(delivery_id=held_id)
        assert (held.state, held.attempts) == (OutboxState.SENDING, 1)
        receiver.release.set()

        second = start_worker(env, log)
        workers.append(second)
        wait_for(lambda: not WebhookDelivery.objects.exclude(state=OutboxState.SENT).exists(),
                 DEADLINE_SECONDS, "every delivery:\n" + log.read_text(errors="replace"))
        assert stop(second) == 0

        ids = receiver.delivery_ids()
        assert sorted(set(ids)) == sorted(str(d.delivery_id) for d in deliveries)
        assert ids.count(held_id) == 2  # sent again after the lease ran out, same id
        held.refresh_from_db()
        assert (held.state, held.attempts) == (OutboxState.SENT, 2)
        for request in receiver.requests:
            assert verify_signature(endpoint.secret, request.headers["X-Bangban-Timestamp"],
                                    request.body, request.headers["X-Bangban-Signature"])
    finally:
        for worker in workers:
            stop(worker)
        receiver.stop()
