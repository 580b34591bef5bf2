import hashlib

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from bangban.documents.models import Document

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


def detect_content_type(file) -> str | None:
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_upload(file) -> str:
    """Returns the detected content type, or raises ValidationError with a message for the user."""
    if file is None:
        raise ValidationError(_("Please choose a file."))
    if file.size == 0:
        raise ValidationError(_("The file is empty."))
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
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


@transaction.atomic
def store_document(*, case, kind, file, by, title="", item=None) -> Document:
    """Stores an upload in the case archive; a new upload under the same title is a new version."""
    content_type = validate_upload(file)
    original_name = (file.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    title = (title or original_name).strip()[:200]
    previous = Document.objects.filter(case=case, item=item, kind=kind, title=title).aggregate(
        Max("version")
    )["version__max"]
    document = Document(
        case=case, item=item, kind=kind, title=title, original_name=original_name,
        content_type=content_type, size=file.size, sha256=_sha256(file),
        version=(previous or 0) + 1, uploaded_by=by,
    )
    file.name = f"upload.{ALLOWED_TYPES[content_type]}"
    document.file = file
    document.full_clean()
    document.save()
    return document
