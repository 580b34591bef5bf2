"""The archive on the local filesystem and on S3-compatible object storage (a moto server the
tests start on 127.0.0.1): storing, downloading, versions and the whole case as a ZIP."""

import csv
import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bangban.documents.models import Document, DocumentKind
from bangban.documents.services import archive_generated, store_document
from bangban.documents.tests.conftest import stored_names
from tests.factories import PDF_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


def zip_of(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def index_of(archive):
    raw = archive.read("index.csv")
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_storage_follows_the_setting(storage):
    expected = {"filesystem": "FileSystemStorage", "s3": "S3Storage"}[storage]
    assert default_storage.__class__.__name__ == expected
    assert Document._meta.get_field("file").storage.__class__.__name__ == expected


def test_a_stored_file_is_downloaded_through_the_view(storage, client, world):
    document = store_document(case=world.case, kind=DocumentKind.MATERIAL, item=world.pushed,
                              file=pdf_upload("环评报告.pdf"), by=world.users.specialist)
    assert stored_names() == [document.file.name]
    client.force_login(world.users.applicant)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"


def test_objects_are_private_on_s3(s3_bucket, world):
    document = store_document(case=world.case, kind=DocumentKind.OTHER, file=pdf_upload(),
                              by=world.users.specialist)
    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name,
                                             Key=document.file.name)["Grants"]
    assert grants and all("AllUsers" not in str(g["Grantee"]) for g in grants)
    assert [o["Key"] for o in s3_bucket.client.list_objects_v2(
        Bucket=s3_bucket.name)["Contents"]] == [document.file.name]


def test_every_version_stays_downloadable(storage, client, world):
    versions = [
        store_document(case=world.case, kind=DocumentKind.MATERIAL, item=world.pushed,
                       title="可研报告", by=world.users.specialist,
                       file=SimpleUploadedFile("k.pdf", PDF_BYTES + f"%{n}".encode()))
        for n in range(3)
    ]
    assert [v.version for v in versions] == [1, 2, 3]
    client.force_login(world.users.specialist)
    for n, version in enumerate(versions):
        response = client.get(reverse("documents:download", args=[version.pk]))
        assert b"".join(response.streaming_content) == PDF_BYTES + f"%{n}".encode()


def test_a_refused_upload_leaves_nothing_in_the_storage(storage, world):
    with pytest.raises(ValidationError):
        store_document(case=world.case, kind=DocumentKind.MATERIAL, by=world.users.specialist,
                       file=SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 64))
    assert not Document.objects.exists()
    assert stored_names() == []


def test_the_whole_case_as_a_zip_with_its_index(storage, client, world):
    specialist = world.users.specialist
    for n in range(2):
        store_document(case=world.case, kind=DocumentKind.MATERIAL, item=world.pushed,
                       title="环评/报告", by=specialist,
                       file=SimpleUploadedFile("r.pdf", PDF_BYTES + f"%{n}".encode()))
    archive_generated(case=world.case, kind=DocumentKind.NOTICE, title="督办通知",
                      filename="督办通知.docx", content=b"docx bytes", by=specialist,
                      content_type="application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.document")
    client.force_login(world.users.applicant)
    with translation.override("en"):
        response = client.get(reverse("documents:case_zip", args=[world.case.pk]),
                              headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"{world.case.number}.zip" in response["Content-Disposition"]
    archive = zip_of(response)
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == [
        "Item material/环评_报告 v1.pdf", "Item material/环评_报告 v2.pdf",
        "Notice/督办通知 v1.docx", "index.csv",
    ]
    rows = index_of(archive)
    assert len(rows) == 3
    for row in rows:
        assert hashlib.sha256(archive.read(row["path"])).hexdigest() == row["SHA-256"]
        assert int(row["size (bytes)"]) == archive.getinfo(row["path"]).file_size
    by_path = {row["path"]: row for row in rows}
    material = by_path["Item material/环评_报告 v2.pdf"]
    assert (material["title"], material["version"], material["item"], material["kind"]) == (
        "环评/报告", "2", world.pushed.matter.name, "Item material")


def test_the_zip_streams_in_constant_memory(client, world, settings):
    """24 MB of incompressible files go through with a far smaller memory peak (on the
    filesystem: on S3 the in-process test server's own copies would dominate the figure)."""
    settings.UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    for n in range(3):
        store_document(case=world.case, kind=DocumentKind.OTHER, title=f"big{n}",
                       by=world.users.specialist,
                       file=SimpleUploadedFile("big.pdf", PDF_BYTES + os.urandom(8 * 1024 * 1024
                                                                       - len(PDF_BYTES))))
    client.force_login(world.users.specialist)
    response = client.get(reverse("documents:case_zip", args=[world.case.pk]))
    total = 0
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            total += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total > 24 * 1024 * 1024
    assert peak < 2 * 1024 * 1024
