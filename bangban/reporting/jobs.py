"""Worker job of the reporting app (listed in `BANGBAN_WORKER_JOBS`): writes queued exports.

One export per round: a long export holds the worker for a while, and the other jobs (the
outbox above all) must not wait behind several. Progress is stored every `PROGRESS_EVERY`
records, which also renews the lease; a worker asked to stop gives the job back at once
(the next worker starts it again after the lease).
"""

import logging
import tempfile
import uuid

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import translation

from bangban.core.worker import stop_requested
from bangban.reporting import services
from bangban.reporting.exports import export_table, get_table, records_for

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500


class ClaimLost(Exception):
    """Another worker holds the job now (this one was too slow), or this one must stop."""


def run_export_jobs(*, now=None):
    """Deletes expired exports and writes the next queued one; returns how many rows it
    handled."""
    handled = services.delete_expired_exports(now=now)
    job = services.claim_export(now=now)
    if job is not None:
        run_export(job)
        handled += 1
    return handled


def run_export(job):
    table = get_table(job.table)
    if table is None:
        services.fail_export(job=job, error=f"No table {job.table!r} is registered.")
        return

    written = [0]

    def progress(count):
        written[0] = count
        if count % PROGRESS_EVERY:
            return
        if stop_requested() or not services.record_progress(job=job, rows_done=count):
            raise ClaimLost

    try:
        with translation.override(job.language or None):
            records = records_for(table, job.owner, services.query_of(job.params))
            with tempfile.TemporaryFile(suffix=".xlsx") as scratch:
                export_table(table, records, scratch, progress=progress)
                scratch.seek(0)
                name = default_storage.save(
                    f"exports/{job.owner_id}/{job.table}-{uuid.uuid4().hex}.xlsx", File(scratch))
    except ClaimLost:
        logger.warning("Export %s: the claim was lost or the worker is stopping; the next "
                       "worker writes it again after the lease.", job.pk)
        return
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        services.fail_export(job=job, error=f"{type(error).__name__}: {error}")
        return
    services.finish_export(job=job, file_name=name, rows_done=written[0])
