"""Filing a form in the case archive, and the PDF machinery: offline fetching and responses."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangban.cases.models import LedgerEntry
from bangban.core.errors import NotAllowed
from bangban.documents.models import Document, DocumentKind
from bangban.printing.pdf import LocalFetcher, pdf_response
from bangban.printing.selectors import CASE_FORMS
from bangban.printing.services import archive_form
from bangban.printing.tests.conftest import contains, pdf_text

pytestmark = pytest.mark.django_db


def test_the_specialist_files_a_form_in_the_archive_with_a_ledger_entry(client, world):
    client.force_login(world.specialist)
    response = client.post(reverse("printing:archive", args=[world.case.pk, "application"]),
                           headers={"accept-language": "en"})
    assert response.status_code == 302
    document = Document.objects.get(case=world.case)
    assert document.kind == DocumentKind.FORM
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == world.specialist
    with document.file.open("rb") as handle:
        contains(pdf_text(handle.read()), world.case.project.name)
    entry = LedgerEntry.objects.get(case=world.case, action="archive_form")
    assert entry.details["document"] == document.pk


def test_filing_again_makes_a_new_version(world):
    form = CASE_FORMS["ledger"]
    first = archive_form(case=world.case, form=form, by=world.chief)
    second = archive_form(case=world.case, form=form, by=world.chief)
    assert (first.version, second.version) == (1, 2)


def test_the_company_may_not_file_forms_and_nothing_changes(client, world):
    with pytest.raises(NotAllowed):
        archive_form(case=world.case, form=CASE_FORMS["application"], by=world.applicant)
    client.force_login(world.applicant)
    response = client.post(reverse("printing:archive", args=[world.case.pk, "application"]),
                           headers={"accept-language": "en"}, follow=True)
    assert "Only the case&#x27;s specialist or a chief specialist may file forms." in (
        response.content.decode())
    assert not Document.objects.filter(case=world.case).exists()
    assert not LedgerEntry.objects.filter(action="archive_form").exists()


def test_filing_a_form_of_a_case_one_cannot_see_is_404(client, world):
    client.force_login(world.other_company)
    url = reverse("printing:archive", args=[world.case.pk, "application"])
    assert client.post(url).status_code == 404
    client.force_login(world.specialist)
    assert client.get(url).status_code == 405
    assert not Document.objects.exists()


def test_the_fetcher_serves_static_files_and_data_but_never_the_network():
    fetcher = LocalFetcher()
    response = fetcher.fetch("http://testserver/static/css/print-form.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,5a6J").read() == "安".encode()
    for url in ("https://example.com/font.woff", "http://testserver/media/x.png",
                "file:///etc/passwd", "http://testserver/static/../../etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_response_inline_or_attachment():
    assert pdf_response(b"%PDF", "a.pdf")["Content-Disposition"] == 'inline; filename="a.pdf"'
    response = pdf_response(b"%PDF", "台账.pdf", inline=False)
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E5%8F%B0%E8%B4%A6.pdf"
    assert response["Content-Type"] == "application/pdf"


def test_archiving_an_empty_rendering_is_refused_with_a_message(client, world, monkeypatch):
    monkeypatch.setattr("bangban.printing.services.case_form_file",
                        lambda *args, **kwargs: (b"", "x.pdf", "application/pdf"))
    with pytest.raises(ValidationError):
        archive_form(case=world.case, form=CASE_FORMS["application"], by=world.specialist)
    client.force_login(world.specialist)
    response = client.post(reverse("printing:archive", args=[world.case.pk, "application"]),
                           headers={"accept-language": "en"}, follow=True)
    assert response.status_code == 200
    assert "The file is empty." in response.content.decode()
    assert not LedgerEntry.objects.filter(action="archive_form").exists()
    assert not Document.objects.exists()
