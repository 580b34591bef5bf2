"""The background worker: runs the jobs of `settings.BANGBAN_WORKER_JOBS` in rounds.

Each job is a function without arguments that handles whatever is due (claiming rows with a
conditional UPDATE, so any number of workers can run side by side) and returns how many rows
it handled. When a round handled nothing the worker sleeps `BANGBAN_WORKER_SLEEP_SECONDS`;
otherwise it goes again at once. A failing job is logged and retried next round; it never
stops the worker or the other jobs.
"""

import logging
import threading

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Set when the worker process is asked to stop (SIGTERM, Ctrl-C); long jobs check
# `stop_requested()` between rows and return early.
STOP = threading.Event()


def stop_requested():
    return STOP.is_set()


def load_jobs(paths=None):
    """[(dotted path, function)] for the given paths or the configured ones."""
    return [(path, import_string(path)) for path in (paths or settings.BANGBAN_WORKER_JOBS)]


def close_old_connections():
    """Like Django after each request: drop connections that broke or are too old — except
    one inside a transaction (a test running a round in-process), which must stay."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def run_round(jobs):
    """Runs every job once; returns how many rows they handled together."""
    handled = 0
    for path, job in jobs:
        close_old_connections()
        try:
            handled += job() or 0
        except Exception:
            logger.exception("Worker job %s failed; it runs again next round", path)
    close_old_connections()
    return handled


def run(jobs, *, sleep, stop=None, once=False):
    """Runs rounds until `stop` (by default the process-wide `STOP`) is set; with `once`,
    one round. Returns how many rows the last round handled."""
    if once:
        return run_round(jobs)
    stop = stop or STOP
    while not stop.is_set():
        if not run_round(jobs):
            stop.wait(sleep)
    return 0
