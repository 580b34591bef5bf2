"""The background worker: configured jobs run in rounds; a failing job stops nothing."""

import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import call_command

from bangban.core import worker
from bangban.core.management.commands import run_demo
from bangban.core.tests import jobs_for_tests
from bangban.core.tests.worker_process import start_worker, stop, worker_env
from bangban.notifications.models import Channel, OutboxMessage, OutboxState

# A worker process imports every app first; on a busy machine that alone can take half a minute.
WORKER_START_SECONDS = 60

JOBS = ["bangban.core.tests.jobs_for_tests.failing_job",
        "bangban.core.tests.jobs_for_tests.counting_job"]


@pytest.fixture(autouse=True)
def _fresh_calls():
    jobs_for_tests.calls.clear()


def test_the_default_jobs_deliver_the_outbox(settings):
    assert "bangban.notifications.jobs.deliver_due_messages" in settings.BANGBAN_WORKER_JOBS


@pytest.mark.django_db
def test_run_worker_once_runs_every_configured_job_even_after_one_fails(settings, caplog):
    settings.BANGBAN_WORKER_JOBS = JOBS
    call_command("run_worker", "--once")
    assert jobs_for_tests.calls == ["failing", "counting"]
    assert "job broke" in caplog.text


@pytest.mark.django_db
def test_run_worker_once_delivers_due_messages():
    from django.utils import timezone

    message = OutboxMessage.objects.create(channel=Channel.SMS, event="item_pushed",
                                           address="13800001111", body="请受理",
                                           next_attempt_at=timezone.now())
    call_command("run_worker", "--once")
    message.refresh_from_db()
    assert message.state == OutboxState.SENT


def test_the_loop_sleeps_when_idle_and_stops_when_asked():
    stop_event = threading.Event()
    rounds = []

    def job():
        rounds.append(1)
        if len(rounds) == 3:
            stop_event.set()
        return 0

    started = time.monotonic()
    worker.run([("job", job)], sleep=0.01, stop=stop_event)
    assert len(rounds) == 3
    assert time.monotonic() - started < 5


def test_the_loop_goes_again_at_once_while_there_is_work():
    stop_event = threading.Event()
    pending = [5]

    def job():
        if pending[0] == 0:
            stop_event.set()
            return 0
        pending[0] -= 1
        return 1

    started = time.monotonic()
    worker.run([("job", job)], sleep=60, stop=stop_event)
    assert time.monotonic() - started < 5  # never slept 60 s


@pytest.mark.django_db
def test_a_stop_request_ends_the_delivery_job_after_the_message_at_hand(monkeypatch):
    from django.utils import timezone

    from bangban.notifications import jobs

    for n in range(3):
        OutboxMessage.objects.create(channel=Channel.SMS, event="item_pushed",
                                     address=f"1380000111{n}", body="请受理",
                                     next_attempt_at=timezone.now())
    real_deliver = jobs.deliver_message

    def deliver_then_get_sigterm(message):
        real_deliver(message)
        worker.STOP.set()

    monkeypatch.setattr(jobs, "deliver_message", deliver_then_get_sigterm)
    try:
        assert jobs.deliver_due_messages() == 1
    finally:
        worker.STOP.clear()
    assert OutboxMessage.objects.filter(state=OutboxState.SENT).count() == 1
    assert OutboxMessage.objects.filter(state=OutboxState.PENDING).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_stops_cleanly_on_sigterm(tmp_path):
    process = start_worker(worker_env(tmp_path, BANGBAN_WORKER_SLEEP_SECONDS=0.1),
                           tmp_path / "worker.log")
    log = tmp_path / "worker.log"
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline and not log.read_bytes():
        time.sleep(0.05)
    assert stop(process) == 0, log.read_text(errors="replace")


@pytest.mark.django_db(transaction=True)
def test_run_demo_starts_the_worker_beside_the_web_server_and_stops_it(tmp_path, monkeypatch):
    """The web server is replaced by a stand-in; the worker is a real process."""
    seen = {}
    env = worker_env(tmp_path, BANGBAN_WORKER_SLEEP_SECONDS=0.1)
    monkeypatch.setattr(run_demo.os, "environ", env)

    log = tmp_path / "worker.log"

    def fake_runserver(addrport, use_reloader):
        seen["addrport"], seen["use_reloader"] = addrport, use_reloader
        [process] = started
        deadline = time.monotonic() + WORKER_START_SECONDS
        while time.monotonic() < deadline and not log.read_bytes():
            time.sleep(0.05)  # until the worker has started
        seen["worker_alive"] = process.poll() is None
        raise KeyboardInterrupt  # Ctrl-C

    started = []
    real_popen = run_demo.subprocess.Popen

    def popen(*args, **kwargs):
        process = real_popen(*args, stdout=log.open("wb"), stderr=subprocess.STDOUT, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(run_demo, "runserver", fake_runserver)
    monkeypatch.setattr(run_demo.subprocess, "Popen", popen)
    previous = signal.getsignal(signal.SIGTERM)
    call_command("run_demo", "127.0.0.1:8765", "--noreload")
    assert seen == {"addrport": "127.0.0.1:8765", "use_reloader": False, "worker_alive": True}
    [process] = started
    assert process.returncode == 0, log.read_text(errors="replace")  # asked to stop; it did
    assert process.args[0] == sys.executable and process.args[-1] == "run_worker"
    assert signal.getsignal(signal.SIGTERM) == previous
