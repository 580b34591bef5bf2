"""Export jobs: request, claim, progress, finish, fail and clean up.

A claim is a conditional UPDATE — `… SET state = 'running', claim_token = <new> WHERE pk = ?
AND (state = 'queued' OR (state = 'running' AND claimed_until <= now))` — so of two workers
that see the same job, one gets it. Progress renews the lease; progress and the outcome are
written only while the claim token still holds, so a worker that was presumed dead and comes
back cannot overwrite the work of the one that took over.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.reporting.exports import count_records, get_table, records_for
from bangban.reporting.models import ExportJob, ExportState

CLAIM_CANDIDATES = 5
ERROR_MAX = 2000
# A job whose worker died this many times is given up: the table itself makes it fail.
MAX_ATTEMPTS = 3


def params_of(query):
    """The page's filters as JSON: {name: [values]} without the export's own parameters."""
    return {key: query.getlist(key) for key in query if key not in {"table", "page"}}


def query_of(params):
    """The QueryDict the page had, from `params_of`'s JSON."""
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    return query


def request_export(*, by, table, params, language=""):
    """Queues the export of `table` with the page's filters `params` ({name: [values]}) for
    `by`; PermissionDenied when `by` may not read the table's page."""
    spec = get_table(table)
    if spec is None:
        raise ValidationError({"table": _("There is no such table to export.")})
    total = count_records(records_for(spec, by, query_of(params)))
    with transaction.atomic():
        job = ExportJob(owner=by, table=table, params=params, language=language,
                        rows_total=total)
        job.full_clean()
        job.save()
    return job


def _due(now):
    return Q(state=ExportState.QUEUED) | Q(state=ExportState.RUNNING, claimed_until__lte=now)


def claim_export(*, now=None):
    """Claims the oldest export that is queued or whose worker's lease ran out; returns it,
    or None when there is none. One whose worker died `MAX_ATTEMPTS` times is failed."""
    now = now or timezone.now()
    candidates = (ExportJob.objects.filter(_due(now)).order_by("created_at", "pk")
                  .values_list("pk", "attempts")[:CLAIM_CANDIDATES])
    for pk, attempts in candidates:
        due = ExportJob.objects.filter(_due(now), pk=pk)
        if attempts >= MAX_ATTEMPTS:
            due.update(state=ExportState.FAILED, finished_at=now, claim_token=None,
                       claimed_until=None, expires_at=now + _keep(),
                       error=f"Gave up after {attempts} attempts: the worker stopped while "
                             f"writing the export.")
            continue
        token = uuid.uuid4()
        if due.update(state=ExportState.RUNNING, claim_token=token, attempts=attempts + 1,
                      claimed_until=now + _lease(), started_at=now, rows_done=0):
            return ExportJob.objects.select_related("owner").get(pk=pk)
    return None


def _lease():
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def _keep():
    return timedelta(hours=settings.EXPORT_KEEP_HOURS)


def _still_claimed(job):
    return ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING,
                                    claim_token=job.claim_token)


def record_progress(*, job, rows_done, now=None):
    """Stores how far the job got and renews its lease; False when the claim was lost."""
    now = now or timezone.now()
    return bool(_still_claimed(job).update(rows_done=rows_done, claimed_until=now + _lease()))


def finish_export(*, job, file_name, rows_done, now=None):
    """Records the written file; False (and the file deleted) when the claim was lost."""
    now = now or timezone.now()
    if _still_claimed(job).update(
        state=ExportState.DONE, file=file_name, rows_done=rows_done, finished_at=now,
        expires_at=now + _keep(), claim_token=None, claimed_until=None,
    ):
        return True
    default_storage.delete(file_name)
    return False


def fail_export(*, job, error, now=None):
    """Records why the job failed; False when the claim was lost."""
    now = now or timezone.now()
    return bool(_still_claimed(job).update(
        state=ExportState.FAILED, error=error[:ERROR_MAX], finished_at=now,
        expires_at=now + _keep(), claim_token=None, claimed_until=None,
    ))


def delete_expired_exports(*, now=None):
    """Deletes the finished exports whose time ran out, files first; returns how many."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now).values_list("pk", "file"))
    for _pk, name in expired:
        if name:
            default_storage.delete(name)
    ExportJob.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return len(expired)
