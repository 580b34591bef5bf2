import hashlib
import re
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.core.errors import NotAllowed
from bangban.documents.models import Document, DocumentKind

# Types are decided by the file's content; the name and the browser's claim are not trusted.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
ALLOWED_DESCRIPTION = "PDF, JPG, PNG, DOC, DOCX, XLS, XLSX, ODT, ODS"
# What the platform itself prints (the printing app): the archive keeps them as generated.
GENERATED_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
# Programs and scripts, whatever extension they were given.
_EXECUTABLE_MAGIC = (
    b"\x7fELF", b"MZ", b"#!", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm",
)
_EXECUTABLE_TYPES = {"application/x-executable", "application/x-msdownload", "application/wasm"}
# Windows' reserved characters, so that a name is also safe when the ZIP is unpacked there.
_RESERVED = re.compile(r'[<>:"/\\|?*]')
# Names Windows gives to devices, whatever the extension: a download saved as "CON.pdf" fails.
WINDOWS_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                                  *(f"LPT{n}" for n in range(1, 10))})
NAME_MAX_LENGTH = 120

# What the archive page's upload form offers the specialist; materials, supplements, the
# agreement and results enter through their own case actions (cases.services).
ARCHIVE_UPLOAD_KINDS = [
    DocumentKind.REVIEW_NOTE, DocumentKind.PUSHED_PACKAGE, DocumentKind.MINUTES,
    DocumentKind.NOTICE, DocumentKind.OTHER,
]

LEDGER_LABELS = {
    "archive_upload": gettext_lazy("Document added to the archive"),
}


def detect_content_type(file) -> str | None:
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _is_executable(file) -> bool:
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    return head.startswith(_EXECUTABLE_MAGIC) or (kind is not None
                                                   and kind.mime in _EXECUTABLE_TYPES)


def check_file_name(name) -> str:
    """The name as the archive shows it: no folder path (refused with a message), no control or
    reserved characters or Windows device names, no leading dots, at most NAME_MAX_LENGTH
    characters, Chinese kept."""
    name = str(name or "")
    if "/" in name or "\\" in name:
        raise ValidationError(
            _("The file name “%(name)s” contains a folder path; rename the file and upload it "
              "again.") % {"name": name[:NAME_MAX_LENGTH]}
        )
    # Normalised after the control characters go: one between two characters kept them apart.
    name = unicodedata.normalize(
        "NFC", "".join(c for c in name if not unicodedata.category(c).startswith("C")))
    name = _RESERVED.sub("_", name).strip().lstrip(". ").strip()
    if name.split(".", 1)[0].rstrip().upper() in WINDOWS_DEVICE_NAMES:
        name = f"_{name}"
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:NAME_MAX_LENGTH]
    return name


def _with_extension(name, extension):
    """The name ending in the extension of its real content (a PNG called .pdf opens as PNG)."""
    stem, dot, current = name.rpartition(".")
    if dot and current.lower() in {extension, "jpeg" if extension == "jpg" else extension}:
        return name
    return f"{stem if dot and stem else name}.{extension}"


def validate_upload(file) -> str:
    """Returns the detected content type, or raises ValidationError with a message for the user."""
    if file is None:
        raise ValidationError(_("Please choose a file."))
    if file.size == 0:
        raise ValidationError(_("The file is empty."))
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(file.size),
               "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    if _is_executable(file):
        raise ValidationError(
            _("This file is a program or script, not a document, whatever its name says; it is "
              "not an accepted type (accepted: %(types)s).") % {"types": ALLOWED_DESCRIPTION}
        )
    content_type = detect_content_type(file)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("This file's content is not an accepted type (accepted: %(types)s), whatever its "
              "name says.") % {"types": ALLOWED_DESCRIPTION}
        )
    return content_type


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _save(*, case, item, kind, title, file, original_name, content_type, by):
    """Numbers the version and saves; the file is written to storage last, and removed again
    when the row cannot be saved, so a refused document leaves no file behind."""
    from bangban.cases.models import Case

    # Two uploads of the same title at once would otherwise both become the same version.
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    # A title may come from a file's name (a supplement's): no NUL, which PostgreSQL refuses,
    # and no other control or bidi character, as in the name itself.
    title = "".join(c for c in str(title or "") if not unicodedata.category(c).startswith("C"))
    title = (title.strip() or original_name)[:200]
    previous = Document.objects.filter(case=case, item=item, kind=kind, title=title).aggregate(
        Max("version")
    )["version__max"]
    document = Document(
        case=case, item=item, kind=kind, title=title, original_name=original_name,
        content_type=content_type, size=file.size, sha256=_sha256(file),
        version=(previous or 0) + 1, uploaded_by=by,
    )
    document.full_clean(exclude=["file"])
    file.name = f"upload.{ALLOWED_TYPES[content_type]}"
    document.file = file
    try:
        with transaction.atomic():
            document.save()
    except BaseException:
        if document.file.name and document.file.name != file.name:
            document.file.storage.delete(document.file.name)
        raise
    # A later failure in the caller's transaction leaves the file without a row;
    # `manage.py prune_archive_files` removes such files.
    return document


def check_upload(file) -> tuple[str, str]:
    """(content type, name for the archive) of an upload, or ValidationError. A service storing
    several uploads checks them all first: a file written before a refusal would stay behind."""
    content_type = validate_upload(file)
    original_name = _with_extension(
        check_file_name(file.name) or "upload", ALLOWED_TYPES[content_type]
    )
    return content_type, original_name


@transaction.atomic
def store_document(*, case, kind, file, by, title="", item=None) -> Document:
    """Stores an upload in the case archive; a new upload under the same title is a new version."""
    content_type, original_name = check_upload(file)
    return _save(case=case, item=item, kind=kind, title=title, file=file,
                 original_name=original_name, content_type=content_type, by=by)


@transaction.atomic
def archive_generated(*, case, kind, title, filename, content: bytes, content_type, by,
                      item=None) -> Document:
    """Keeps a form or notice the platform generated (PDF, DOCX or XLSX) in the case archive,
    versioned like an upload. Whether `by` may generate it is the caller's check."""
    if content_type not in GENERATED_TYPES:
        raise ValidationError(
            _("Generated documents are kept as PDF, DOCX or XLSX, not %(type)s.")
            % {"type": content_type}
        )
    if not content:
        raise ValidationError(_("The file is empty."))
    original_name = _with_extension(
        check_file_name(filename) or "document", GENERATED_TYPES[content_type]
    )
    return _save(case=case, item=item, kind=kind, title=title, file=ContentFile(content),
                 original_name=original_name, content_type=content_type, by=by)


@transaction.atomic
def upload_to_archive(*, case, by, kind, file, title="", item=None) -> Document:
    """The case's specialist adds a review note, pushed package, minutes, notice or other
    document to the archive from the archive page; it is written in the ledger."""
    from bangban.cases.services import record_ledger

    if Role.SPECIALIST not in case_roles(by, case):
        raise NotAllowed(_("Only the case's specialist may add documents here."))
    if kind not in ARCHIVE_UPLOAD_KINDS:
        raise ValidationError({"kind": _("Choose one of the offered kinds.")})
    if item is not None and item.case_id != case.pk:
        raise ValidationError({"item": _("Choose an item of this case.")})
    document = store_document(case=case, kind=kind, file=file, by=by, title=title, item=item)
    record_ledger(case=case, item=item, by=by, role=Role.SPECIALIST, action="archive_upload",
                  document=document.pk, title=document.title, version=document.version)
    return document


def prune_orphan_files(*, older_than, dry_run=False) -> list[str]:
    """Files under cases/ that no document names and that were written before `older_than`:
    left by a transaction that failed after its upload was written. Younger files may still
    belong to a transaction in progress, so they stay."""
    from django.core.files.storage import default_storage

    try:
        folders, _files = default_storage.listdir("cases/")
    except FileNotFoundError:
        return []
    pruned = []
    for folder in folders:
        known = set(Document.objects.filter(case_id=folder).values_list("file", flat=True)
                    if folder.isdigit() else [])
        for name in default_storage.listdir(f"cases/{folder}/")[1]:
            path = f"cases/{folder}/{name}"
            if path in known or default_storage.get_modified_time(path) >= older_than:
                continue
            if not dry_run:
                default_storage.delete(path)
            pruned.append(path)
    return pruned
