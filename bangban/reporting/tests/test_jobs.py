"""Long exports become jobs: claimed with a lease, written by the worker, downloaded by their
owner only, cleaned up after their time."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.reporting import exports, jobs, services
from bangban.reporting.models import ExportJob, ExportState
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def chief(settings):
    settings.EXPORT_INLINE_ROWS = 2
    agency = AgencyFactory()
    for n in range(3):
        CaseFactory(agency=agency, in_progress=True, number=f"BB-JOB-{n}")
    return MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user


def _rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_a_long_export_runs_in_the_background_for_its_owner_only(chief, client):
    client.force_login(chief)
    response = client.get(reverse("reporting:export"), {"table": "cases",
                                                        "state": "in_progress"}, headers=EN)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reporting:job",
                                                                   args=[job.pk])
    assert (job.owner, job.table, job.params, job.state, job.rows_total) == (
        chief, "cases", {"state": ["in_progress"]}, ExportState.QUEUED, 3)
    page = client.get(response.url, headers=EN)
    assert b'hx-trigger="every 2s"' in page.content and b"data-download" not in page.content

    other = MembershipFactory(agency=chief.memberships.get().agency,
                              role=Role.CHIEF_SPECIALIST).user
    client.force_login(other)
    assert client.get(response.url).status_code == 404

    assert jobs.run_export_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.percent, job.error) == (ExportState.DONE, 3, 100, "")
    assert job.expires_at > timezone.now()
    assert client.get(reverse("reporting:download", args=[job.pk])).status_code == 404

    client.force_login(chief)
    progress = client.get(response.url, headers={**EN, "HX-Request": "true"})
    assert b"hx-trigger" not in progress.content and b"data-download" in progress.content
    download = client.get(reverse("reporting:download", args=[job.pk]))
    assert download.status_code == 200
    rows = _rows(b"".join(download.streaming_content))
    assert rows[0][0] == "case number"
    assert sorted(row[0] for row in rows[1:]) == ["BB-JOB-0", "BB-JOB-1", "BB-JOB-2"]
    assert b"data-job" in client.get(reverse("reporting:jobs")).content


def test_a_short_export_is_the_file_itself(chief, client):
    client.force_login(chief)
    response = client.get(reverse("reporting:export"),
                          {"table": "cases", "q": "BB-JOB-1"}, headers=EN)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    assert [row[0] for row in _rows(b"".join(response.streaming_content))[1:]] == ["BB-JOB-1"]
    assert not ExportJob.objects.exists()


def test_unknown_tables_and_unauthorised_pages(chief, client):
    client.force_login(chief)
    assert client.get(reverse("reporting:export"), {"table": "nope"}).status_code == 404
    client.force_login(UserFactory())
    # The consultations list is for readers of consultations only: so is its export.
    assert client.get(reverse("reporting:export"),
                      {"table": "consultations"}).status_code == 403
    client.logout()
    assert client.get(reverse("reporting:export"), {"table": "cases"}).status_code == 302


def test_a_failing_export_records_its_error(chief, monkeypatch, client):
    job = services.request_export(by=chief, table="cases", params={})

    def broken(table, records, path, *, progress=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "export_table", broken)
    assert jobs.run_export_jobs() == 1
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and job.error == "RuntimeError: disk full"
    client.force_login(chief)
    assert b"alert-danger" in client.get(reverse("reporting:job", args=[job.pk])).content
    assert client.get(reverse("reporting:download", args=[job.pk])).status_code == 404


def test_a_dead_workers_job_is_claimed_again_after_its_lease(chief, settings):
    job = services.request_export(by=chief, table="cases", params={})
    now = timezone.now()
    first = services.claim_export(now=now)
    assert first.pk == job.pk and first.attempts == 1
    assert services.claim_export(now=now + datetime.timedelta(seconds=10)) is None
    later = now + datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)
    second = services.claim_export(now=later)
    assert second.pk == job.pk and second.attempts == 2
    # The first worker comes back: it can neither report progress nor finish.
    assert not services.record_progress(job=first, rows_done=1)
    name = default_storage.save("exports/late.xlsx", io.BytesIO(b"x"))
    assert not services.finish_export(job=first, file_name=name, rows_done=3)
    assert not default_storage.exists(name)
    assert services.finish_export(job=second, file_name="exports/x.xlsx", rows_done=3)


def test_a_job_whose_workers_keep_dying_is_given_up(chief, settings):
    job = services.request_export(by=chief, table="cases", params={})
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)
    for attempt in range(services.MAX_ATTEMPTS):
        assert services.claim_export(now=now + attempt * lease) is not None
    assert services.claim_export(now=now + services.MAX_ATTEMPTS * lease) is None
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "Gave up" in job.error


def test_progress_is_stored_while_writing(chief, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 1)
    job = services.request_export(by=chief, table="cases", params={})
    seen = []
    original = exports.table_lines

    def watching(table, records, *, progress=None):
        for line in original(table, records, progress=progress):
            seen.append(ExportJob.objects.get(pk=job.pk).rows_done)
            yield line

    monkeypatch.setattr(exports, "table_lines", watching)
    jobs.run_export_jobs()
    assert seen == [0, 1, 2]


def test_expired_exports_are_deleted_with_their_files(chief):
    job = services.request_export(by=chief, table="cases", params={})
    jobs.run_export_jobs()
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)
    assert jobs.run_export_jobs(now=job.expires_at + datetime.timedelta(seconds=1)) == 1
    assert not ExportJob.objects.exists() and not default_storage.exists(name)
