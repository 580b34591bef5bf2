"""Uploads and generated documents entering the archive: checks, names, versions, no leftovers."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bangban.cases.models import LedgerEntry
from bangban.core.errors import NotAllowed
from bangban.documents import services
from bangban.documents.models import Document, DocumentKind
from bangban.documents.services import (
    archive_generated,
    check_file_name,
    store_document,
    upload_to_archive,
)
from bangban.documents.tests.conftest import stored_names
from tests.factories import PDF_BYTES, pdf_upload

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(("name", "expected"), [
    ("营业执照 副本.pdf", "营业执照 副本.pdf"),
    ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
    ("..hidden.pdf", "hidden.pdf"),
    ("bad\x00na\x1fme\u202e.pdf", "badname.pdf"),
    ("环评" * 100 + ".pdf", "环评" * 58 + ".pdf"),
    ("   ", ""),
])
def test_file_names_are_sanitised_keeping_chinese(name, expected):
    assert check_file_name(name) == expected


@pytest.mark.parametrize("name", ["..\\..\\windows\\a.pdf", "C:\\Users\\x\\a.pdf"])
def test_a_path_in_an_uploaded_file_name_is_refused_with_a_message(world, name):
    # Django's own upload handling already cuts "/" paths; a Windows path reaches the service.
    with translation.override("en"), pytest.raises(ValidationError, match="folder path"):
        store_document(case=world.case, kind=DocumentKind.OTHER, file=upload(name, PDF_BYTES),
                       by=world.users.specialist)
    assert not Document.objects.exists()
    assert stored_names() == []


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "a/b.pdf", "..\\x.pdf"])
def test_a_path_in_a_generated_file_name_is_refused(world, name):
    with translation.override("en"), pytest.raises(ValidationError, match="folder path"):
        archive_generated(case=world.case, kind=DocumentKind.FORM, title="x", filename=name,
                          content=PDF_BYTES, content_type="application/pdf",
                          by=world.users.specialist)
    assert not Document.objects.exists()
    assert stored_names() == []


@pytest.mark.parametrize("content", [
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100,          # Linux program
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,       # Windows program
    b"#!/bin/sh\nrm -rf /\n",                            # script
    b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 100,  # macOS program
])
def test_a_disguised_executable_is_refused_and_nothing_is_stored(world, content):
    with translation.override("en"), pytest.raises(ValidationError, match="program or script"):
        store_document(case=world.case, kind=DocumentKind.MATERIAL,
                       file=upload("营业执照.pdf", content), by=world.users.specialist)
    assert not Document.objects.exists()
    assert stored_names() == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(world, settings):
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES) - 1
    with translation.override("en"), pytest.raises(ValidationError, match="at most"):
        store_document(case=world.case, kind=DocumentKind.OTHER, file=pdf_upload(),
                       by=world.users.specialist)
    assert not Document.objects.exists()
    assert stored_names() == []


def test_a_file_of_another_type_than_its_name_is_kept_under_its_real_extension(world):
    document = store_document(case=world.case, kind=DocumentKind.OTHER,
                              file=upload("scan.pdf", PNG_BYTES), by=world.users.specialist)
    assert document.content_type == "image/png"
    assert document.original_name == "scan.png"
    assert document.file.name.endswith(".png")


def test_a_new_upload_under_the_same_title_is_a_new_version(world):
    first = store_document(case=world.case, item=world.pushed, kind=DocumentKind.MATERIAL,
                           file=pdf_upload(), title="环评报告", by=world.users.specialist)
    second = store_document(case=world.case, item=world.pushed, kind=DocumentKind.MATERIAL,
                            file=upload("v2.pdf", PDF_BYTES + b"%v2"), title="环评报告",
                            by=world.users.specialist)
    other_item = store_document(case=world.case, item=world.hidden, kind=DocumentKind.MATERIAL,
                                file=pdf_upload(), title="环评报告", by=world.users.specialist)
    assert (first.version, second.version, other_item.version) == (1, 2, 1)
    assert second.sha256 == hashlib.sha256(PDF_BYTES + b"%v2").hexdigest()
    assert first.file.name != second.file.name


def test_a_file_written_before_the_row_fails_is_removed(world, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document, "save_base", fail)
    with pytest.raises(RuntimeError):
        store_document(case=world.case, kind=DocumentKind.OTHER, file=pdf_upload(),
                       by=world.users.specialist)
    assert stored_names() == []


@pytest.mark.parametrize("content_type", ["application/pdf", DOCX, XLSX])
def test_generated_documents_are_archived_and_versioned(world, content_type):
    content = b"generated " + content_type.encode()
    arguments = dict(case=world.case, item=world.pushed, kind=DocumentKind.NOTICE,
                     title="督办通知", filename="督办通知 2026.bin", content=content,
                     content_type=content_type, by=world.users.specialist)
    first = archive_generated(**arguments)
    second = archive_generated(**{**arguments, "content": content + b"!"})
    extension = services.GENERATED_TYPES[content_type]
    assert (first.version, second.version) == (1, 2)
    assert first.original_name == f"督办通知 2026.{extension}"
    assert first.content_type == content_type
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert first.size == len(content)
    with first.file.open("rb") as handle:
        assert handle.read() == content


@pytest.mark.parametrize("content_type", ["text/html", "application/x-msdownload", "image/png"])
def test_generated_documents_must_be_pdf_docx_or_xlsx(world, content_type):
    with pytest.raises(ValidationError):
        archive_generated(case=world.case, kind=DocumentKind.FORM, title="x", filename="x.pdf",
                          content=b"x", content_type=content_type, by=world.users.specialist)
    assert not Document.objects.exists()
    assert stored_names() == []


def test_the_specialist_adds_a_review_note_and_the_ledger_says_so(world):
    document = upload_to_archive(case=world.case, by=world.users.specialist,
                                 kind=DocumentKind.REVIEW_NOTE, file=pdf_upload("审查意见.pdf"),
                                 item=world.pushed)
    assert (document.title, document.kind, document.item) == (
        "审查意见.pdf", DocumentKind.REVIEW_NOTE, world.pushed)
    entry = LedgerEntry.objects.get(case=world.case, action="archive_upload")
    assert entry.details["document"] == document.pk and entry.item == world.pushed


@pytest.mark.parametrize("role", ["applicant", "chief", "department"])
def test_only_the_specialist_adds_documents_from_the_archive_page(world, role):
    with pytest.raises(NotAllowed):
        upload_to_archive(case=world.case, by=getattr(world.users, role),
                          kind=DocumentKind.OTHER, file=pdf_upload())
    assert not Document.objects.exists()


def test_kinds_with_their_own_case_action_are_not_offered(world):
    with pytest.raises(ValidationError):
        upload_to_archive(case=world.case, by=world.users.specialist,
                          kind=DocumentKind.RESULT, file=pdf_upload())
    assert not Document.objects.exists()
