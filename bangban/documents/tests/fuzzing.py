"""Hypothesis strategies and checks shared by the upload fuzz tests (services, pages, API).

Every fuzz test runs derandomized and without the example database, so a failure found once is
found again on every machine and in CI."""

import io
import re
import unicodedata
import zipfile

import filetype
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from bangban.documents.models import Document
from bangban.documents.services import ALLOWED_TYPES, NAME_MAX_LENGTH, WINDOWS_DEVICE_NAMES
from bangban.documents.tests.conftest import stored_names

# The hypothesis examples of one test share its database and its MEDIA_ROOT (each example
# rolls its own changes back, see `one_attempt`), hence the function-scoped fixtures.
FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
# A small limit so that oversized files are cheap to make.
UPLOAD_LIMIT = 4096


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


# Real beginnings of files: accepted documents, archives and programs.
PREFIXES = {
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02",
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    "docx": _docx(),
    "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24,
    "elf": b"\x7fELF\x02\x01\x01\x00",
    "mz": b"MZ\x90\x00\x03\x00\x00\x00",
    "script": b"#!/bin/sh\n",
    "wasm": b"\x00asm\x01\x00\x00\x00",
    "macho": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
    "gif": b"GIF89a\x01\x00\x01\x00",
    "html": b"<!DOCTYPE html><script>alert(1)</script>",
}


@st.composite
def _mutated(draw):
    """A real prefix, cut short or followed by random bytes, with a few bytes flipped."""
    data = bytearray(draw(st.sampled_from(sorted(PREFIXES.values()))))
    data = data[: draw(st.integers(min_value=0, max_value=len(data)))] if draw(
        st.booleans()) else data
    data += draw(st.binary(max_size=512))
    for _flip in range(draw(st.integers(min_value=0, max_value=3))):
        if data:
            data[draw(st.integers(min_value=0, max_value=len(data) - 1))] = draw(
                st.integers(min_value=0, max_value=255))
    return bytes(data)


@st.composite
def _oversized(draw):
    """A real prefix padded to just under, at or just over the (small) limit."""
    prefix = draw(st.sampled_from(sorted(PREFIXES.values())))
    size = draw(st.integers(min_value=UPLOAD_LIMIT - 2, max_value=UPLOAD_LIMIT + 2))
    return (prefix + b"\x00" * size)[:size]


_ACCEPTED_PREFIXES = [PREFIXES[k] for k in ("pdf", "png", "jpeg", "docx")]
contents = st.one_of(
    st.binary(max_size=1024),
    st.sampled_from(sorted(PREFIXES.values())),
    st.builds(bytes.__add__, st.sampled_from(_ACCEPTED_PREFIXES), st.binary(max_size=1024)),
    _mutated(),
    _oversized(),
)

_TRICKY_CHARACTERS = (
    "\x00\x01\x1f\x7f\x85\t\n\r"  # control characters
    "/\\<>:\"|?*."  # separators and Windows' reserved characters
    "\u202e\u202d\u200f\u200b\u2066\ufeff"  # bidi overrides, zero widths, BOM
    "\u0301\u0308\ufb01\uff0f\uff3c\u2215\u2044\uff0e"  # combining, ligature, look-alikes
    "\ud7ff\U0001f4c4营业执照 aZ0-_"
)
SPECIAL_NAMES = [
    "", " ", ".", "..", "...", ".pdf", "..pdf", "CON", "con.pdf", "NUL", "NUL.png", "PRN.docx",
    "AUX.jpg", "COM1.pdf", "LPT9.xlsx", "CON .pdf", "report.pdf.exe", "report.exe.pdf",
    "invoice\u202efdp.exe", "\u202eexe.pdf", "e\u0301\u0301.pdf", "e\u200b\u0301.pdf",
    "\ufb01le.pdf", "..\\..\\boot.ini", "../../etc/passwd", "C:\\x.pdf", "a" * 300 + ".pdf",
    "x." + "y" * 300, "环评" * 200, "name\x00.pdf", "name\r\nContent-Type: x.pdf",
    'quote".pdf', "tab\t.pdf", " leading space.pdf", "trailing dot.pdf.", "photo.JPEG",
]
names = st.one_of(
    st.sampled_from(SPECIAL_NAMES),
    st.builds(lambda stem, ext: stem + ext, st.text(alphabet="营业执照副本 ab-_1\u202e\u0301",
                                                    max_size=20),
              st.sampled_from([".pdf", ".png", ".jpg", ".docx", ".pdf.exe", ""])),
    st.text(alphabet=_TRICKY_CHARACTERS, max_size=40),
    st.builds(lambda stem, ext: stem + ext, st.text(alphabet=_TRICKY_CHARACTERS, max_size=30),
              st.sampled_from([".pdf", ".PNG", ".jpg", ".docx", ".exe", ".pdf.exe", ".sh", ""])),
    st.text(max_size=300),
)

_EXTENSIONS = "|".join(sorted(set(ALLOWED_TYPES.values())))
_STORED_NAME = re.compile(rf"cases/(\d+)/[0-9a-f]{{32}}\.({_EXTENSIONS})")
_RESERVED_CHARACTERS = set('<>:"/\\|?*')


def _event(name):
    """Counted in --hypothesis-show-statistics (the checks also serve plain tests)."""
    if currently_in_test_context():
        event(name)


def one_attempt(attempt):
    """Runs `attempt()` and returns (its result, the documents and files it added); then undoes
    its database changes and removes its files, so the next example starts from the same state.
    The result is None when `attempt` raised the ValidationError it is allowed to raise."""
    files_before = set(stored_names())
    with transaction.atomic():
        rows_before = set(Document.objects.values_list("pk", flat=True))
        result = attempt()
        added = list(Document.objects.exclude(pk__in=rows_before))
        transaction.set_rollback(True)
    new_files = set(stored_names()) - files_before
    for document in added:  # read before the files go
        document.stored_bytes = document.file.open("rb").read()
        document.file.close()
    for name in new_files:
        Document.file.field.storage.delete(name)
    return result, added, new_files


def assert_clean(document, files, content, case):
    """The stored document is what its content is, under a clean name, and its file is the
    only one written."""
    _event(f"stored as {document.content_type}")
    stored = _STORED_NAME.fullmatch(document.file.name)
    assert stored, document.file.name
    assert int(stored.group(1)) == case.pk
    assert files == {document.file.name}
    assert document.stored_bytes == content and document.size == len(content)
    assert document.content_type in ALLOWED_TYPES
    assert stored.group(2) == ALLOWED_TYPES[document.content_type]
    assert filetype.guess(content[:8192]).mime == document.content_type
    name = document.original_name
    extension = ALLOWED_TYPES[document.content_type]
    assert name.lower().endswith((f".{extension}", ".jpeg" if extension == "jpg" else "\0"))
    assert len(name) <= NAME_MAX_LENGTH + 1 + len(extension)
    assert not name.startswith((".", " "))
    assert not _RESERVED_CHARACTERS & set(name), name
    assert not [c for c in name if unicodedata.category(c).startswith("C")], ascii(name)
    assert unicodedata.is_normalized("NFC", name), ascii(name)
    assert name.split(".", 1)[0].rstrip().upper() not in WINDOWS_DEVICE_NAMES, name


def assert_nothing_stored(added, files):
    _event("refused")
    assert added == [] and files == set()
