"""PDF rendering of the printable forms (SPEC §8), with WeasyPrint.

Usage, from a view::

    from bangban.printing.pdf import pdf_response, render_pdf

    content = render_pdf("printing/ledger.html", {"case": case}, request=request)
    return pdf_response(content, f"{case.number}-ledger.pdf")

A form template extends ``printing/base_form.html`` (an A4 page laid out like the government
originals: centred title, ruled tables, signature-and-seal boxes, page numbers) and fills its
blocks:

- ``title``: the form's title (``<h1 class="form-title">``); ``subtitle`` under it;
- ``content``: the body, usually ``<table class="form-table">`` with ``<th>`` label cells;
- ``signatures``: defaults to nothing; include ``printing/partials/_signature_boxes.html``
  with ``boxes`` (a list of labels) for the signature-and-seal boxes and their 年 月 日 line.

Rendering never touches the network: the URL fetcher serves only the project's static files
(``{% static %}`` URLs, found through the staticfiles finders) and ``data:`` URIs, and refuses
anything else, so a form prints the same offline. The Chinese glyphs come from the system's
Noto CJK fonts (installed by scripts/start.sh and scripts/test.sh), which WeasyPrint embeds.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The origin relative URLs resolve against when there is no request (a job, a test).
DEFAULT_BASE_URL = "http://localhost/"


class LocalFetcher(URLFetcher):
    """Serves static files from disk and data: URIs; every other URL is an error, which
    WeasyPrint logs and skips."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "http", "https"})

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = unquote(urlsplit(url).path)
        prefix = "/" + settings.STATIC_URL.lstrip("/")
        if not path.startswith(prefix):
            raise ValueError(f"Printable forms only load static files, not {url}")
        try:
            found = finders.find(path.removeprefix(prefix))
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise ValueError(f"No static file {path}")
        with open(found, "rb") as handle:
            body = handle.read()
        mime_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The template rendered to HTML, then to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else DEFAULT_BASE_URL
    return HTML(string=html, base_url=base_url, url_fetcher=LocalFetcher()).write_pdf()


def file_response(content: bytes, filename: str, content_type: str, *,
                  inline=False) -> HttpResponse:
    """The bytes as a download (or shown inline); a Chinese filename travels as RFC 5987
    `filename*=utf-8''…`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Content-Length"] = str(len(content))
    return response


def pdf_response(content: bytes, filename: str, *, inline=True) -> HttpResponse:
    return file_response(content, filename, "application/pdf", inline=inline)
