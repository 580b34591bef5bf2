"""A whole case archive as one ZIP, streamed: memory stays flat however large the archive."""

import csv
import io
import logging
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.documents.services import check_file_name

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024


class _Pipe(io.RawIOBase):
    """A non-seekable sink: zipfile writes local headers with data descriptors into it, and
    the generator hands each written piece on to the response."""

    def __init__(self):
        self.pieces = []

    def writable(self):
        return True

    def write(self, data):
        self.pieces.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.pieces)
        self.pieces.clear()
        return data


def _safe(text):
    return check_file_name(str(text).replace("/", "_").replace("\\", "_")) or "_"


def plan(documents):
    """(path in the ZIP, document) for each document: a folder per kind, "title vN.ext", made
    unique within the ZIP. Computed while the request's language is active."""
    entries, used = [], set()
    for document in documents:
        extension = document.original_name.rpartition(".")[2].lower() or "bin"
        stem = f"{_safe(document.title)} v{document.version}"
        folder = _safe(document.get_kind_display())
        path, n = f"{folder}/{stem}.{extension}", 1
        while path.lower() in used:
            n += 1
            path = f"{folder}/{stem} ({n}).{extension}"
        used.add(path.lower())
        entries.append((path, document))
    return entries


def index_rows(entries):
    """The header and one row per entry of index.csv, in the request's language."""
    header = [_("path"), _("kind"), _("title"), _("version"), _("item"), _("uploaded by"),
              _("uploaded at"), _("size (bytes)"), "SHA-256"]
    rows = [
        [path, d.get_kind_display(), d.title, d.version,
         d.item.matter.name if d.item_id else "", d.uploaded_by.display_name,
         timezone.localtime(d.uploaded_at).strftime("%Y-%m-%d %H:%M:%S"), d.size, d.sha256]
        for path, d in entries
    ]
    return header, rows


def _csv(header, rows) -> bytes:
    """UTF-8 with a BOM, so that Excel shows the Chinese names."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode()


def stream(entries, header, rows):
    """The ZIP's bytes; index.csv comes last and lists only the files that are in the ZIP."""
    pipe, written = _Pipe(), []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for (path, document), row in zip(entries, rows, strict=True):
            try:
                handle = document.file.open("rb")
            except OSError:
                logger.error("Archive file missing: document %s (%s)", document.pk,
                             document.file.name)
                continue
            with handle, archive.open(path, "w", force_zip64=True) as target:
                while chunk := handle.read(CHUNK):
                    target.write(chunk)
                    yield pipe.take()
            written.append(row)
            yield pipe.take()
        archive.writestr("index.csv", _csv(header, written))
    yield pipe.take()
