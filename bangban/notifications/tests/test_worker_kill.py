"""A worker killed in the middle of sending: no message is lost and none reaches a phone twice.

The worker runs as a real process (`manage.py run_worker`) against the test database (a file
for SQLite, or PostgreSQL) and sends SMS through the Aliyun backend to a fake Aliyun server on
127.0.0.1. The fake accepts the first SMS and then holds the request open; the test kills the
worker with SIGKILL while it waits for the answer, starts a new worker, and checks that once
the lease has run out the new worker finishes every message — the held one without sending
it to the phone again.
"""

import os
import signal
import time

import pytest
from django.utils import timezone

from bangban.core.tests.worker_process import start_worker, stop, worker_env
from bangban.notifications.models import Channel, OutboxMessage, OutboxState
from bangban.notifications.tests.fake_aliyun import FakeAliyunSms

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 2
DEADLINE_SECONDS = 60  # a worker process starting on a busy machine


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(tmp_path):
    fake = FakeAliyunSms(hold_first_send=True).start()
    workers = []
    try:
        messages = [
            OutboxMessage.objects.create(
                channel=Channel.SMS, event="item_pushed", address=f"1380000{n:04d}",
                subject="事项已推送", body=f"第{n}条通知", next_attempt_at=timezone.now(),
            )
            for n in range(3)
        ]
        env = worker_env(
            tmp_path,
            BANGBAN_SMS_BACKEND="bangban.notifications.backends.AliyunSmsBackend",
            BANGBAN_SMS_ALIYUN_ACCESS_KEY_ID=fake.access_key_id,
            BANGBAN_SMS_ALIYUN_ACCESS_KEY_SECRET=fake.secret,
            BANGBAN_SMS_ALIYUN_SIGN_NAME="滨州政务服务",
            BANGBAN_SMS_ALIYUN_TEMPLATE_CODE="SMS_000000001",
            BANGBAN_SMS_ALIYUN_ENDPOINT=fake.url,
            BANGBAN_OUTBOX_LEASE_SECONDS=LEASE_SECONDS,
            BANGBAN_WORKER_SLEEP_SECONDS=0.1,
        )
        log = tmp_path / "worker.log"

        first = start_worker(env, log)
        workers.append(first)
        assert fake.held.wait(timeout=DEADLINE_SECONDS), log.read_text(errors="replace")
        # The provider has accepted the first SMS; its answer is still on the way.
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        held_key = fake.send_calls[0]
        held = OutboxMessage.objects.get(idempotency_key=held_key)
        assert held.state == OutboxState.SENDING
        assert held.attempts == 1
        fake.release.set()

        second = start_worker(env, log)
        workers.append(second)
        wait_for(lambda: not OutboxMessage.objects.exclude(state=OutboxState.SENT).exists(),
                 DEADLINE_SECONDS, "every message to be sent:\n" + log.read_text(errors="replace"))
        assert stop(second) == 0  # SIGTERM: the worker finishes its round and exits cleanly

        for message in messages:
            message.refresh_from_db()
            assert message.state == OutboxState.SENT
            assert fake.delivered[str(message.idempotency_key)] == 1, "delivered once"
            assert message.provider_message_id
        assert len(fake.deliveries) == len(messages)
        held.refresh_from_db()
        assert held.attempts == 2  # claimed again after the lease ran out
        assert fake.send_calls.count(held_key) == 1  # found at the provider, not re-sent
        assert fake.rejected == []
    finally:
        for worker in workers:
            stop(worker)
        fake.stop()
