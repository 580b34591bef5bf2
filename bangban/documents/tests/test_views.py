"""The archive page, the ZIP and uploads on the page: each only for those who may see the
documents."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.documents.models import Document, DocumentKind
from bangban.documents.services import store_document
from bangban.documents.tests.conftest import stored_names
from tests.factories import PDF_BYTES, pdf_upload

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def archive(world):
    """One document the department may see (its pushed item's), one it may not (an item not
    pushed yet), one application material and one case-wide review note."""
    specialist = world.users.specialist
    return {
        "pushed": store_document(case=world.case, item=world.pushed, kind=DocumentKind.MATERIAL,
                                 file=pdf_upload(), title="pushed", by=specialist),
        "hidden": store_document(case=world.case, item=world.hidden, kind=DocumentKind.MATERIAL,
                                 file=pdf_upload(), title="hidden", by=specialist),
        "application": store_document(case=world.case, kind=DocumentKind.APPLICATION,
                                      file=pdf_upload(), title="application", by=specialist),
        "note": store_document(case=world.case, kind=DocumentKind.REVIEW_NOTE,
                               file=pdf_upload(), title="note", by=specialist),
    }


def page_url(world):
    return reverse("documents:case_archive", args=[world.case.pk])


def zip_url(world):
    return reverse("documents:case_zip", args=[world.case.pk])


def shown(response):
    return {d.title for group in response.context["groups"] for d in group["documents"]}


def zipped_titles(response):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name.rsplit("/", 1)[-1].rsplit(" v", 1)[0] for name in archive.namelist()
            if name != "index.csv"}


@pytest.mark.parametrize("role", ["applicant", "specialist", "chief"])
def test_everyone_with_a_role_on_the_case_sees_and_zips_the_whole_archive(client, world,
                                                                          archive, role):
    client.force_login(getattr(world.users, role))
    response = client.get(page_url(world))
    assert response.status_code == 200
    assert shown(response) == set(archive)
    assert zipped_titles(client.get(zip_url(world))) == set(archive)
    for document in archive.values():
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200


def test_a_department_sees_only_its_items_and_the_application(client, world, archive):
    client.force_login(world.users.department)
    assert shown(client.get(page_url(world))) == {"pushed", "application"}
    assert zipped_titles(client.get(zip_url(world))) == {"pushed", "application"}
    for title, status in [("pushed", 200), ("application", 200), ("hidden", 404),
                          ("note", 404)]:
        url = reverse("documents:download", args=[archive[title].pk])
        assert client.get(url).status_code == status, title


@pytest.mark.parametrize("role", ["other_company", "other_department", "outsider"])
def test_others_get_404_and_nothing_leaks(client, world, archive, role):
    client.force_login(getattr(world.users, role))
    assert client.get(page_url(world)).status_code == 404
    assert client.get(zip_url(world)).status_code == 404
    for document in archive.values():
        response = client.get(reverse("documents:download", args=[document.pk]))
        assert response.status_code == 404
        assert PDF_BYTES not in response.content


def test_anonymous_visitors_are_sent_to_log_in(client, world, archive):
    for url in [page_url(world), zip_url(world),
                reverse("documents:download", args=[archive["note"].pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_all_versions_are_listed_latest_first_and_filterable_by_kind(client, world, archive):
    store_document(case=world.case, item=world.pushed, kind=DocumentKind.MATERIAL,
                   file=pdf_upload(), title="pushed", by=world.users.specialist)
    client.force_login(world.users.applicant)
    response = client.get(page_url(world), {"kind": DocumentKind.MATERIAL}, headers=EN)
    (group,) = response.context["groups"]
    assert [(d.title, d.version) for d in group["documents"]] == [
        ("hidden", 1), ("pushed", 2), ("pushed", 1)]
    content = response.content.decode()
    assert archive["pushed"].sha256 in content and archive["pushed"].sha256[:12] in content
    assert "Review note" in content  # the kind's filter link


def test_the_case_page_links_to_the_archive(client, world):
    client.force_login(world.users.applicant)
    response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert page_url(world).encode() in response.content


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["specialist", "department"])
def test_the_page_and_the_zip_run_a_constant_number_of_queries(client, world, role):
    client.force_login(getattr(world.users, role))

    def add(n):
        for i in range(n):
            store_document(case=world.case, item=world.pushed, kind=DocumentKind.MATERIAL,
                           file=pdf_upload(), title=f"m{i % 2}", by=world.users.specialist)

    add(2)
    few = (_queries(client, page_url(world)), _queries(client, zip_url(world)))
    add(6)
    assert (_queries(client, page_url(world)), _queries(client, zip_url(world))) == few


def test_the_specialist_uploads_on_the_archive_page(client, world):
    client.force_login(world.users.specialist)
    response = client.post(page_url(world), {
        "kind": DocumentKind.MINUTES, "title": "协调会纪要", "item": world.pushed.pk,
        "file": pdf_upload("纪要.pdf"),
    })
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.kind, document.title, document.item, document.original_name) == (
        DocumentKind.MINUTES, "协调会纪要", world.pushed, "纪要.pdf")


def test_a_disguised_executable_on_the_page_gets_a_message_and_nothing_is_stored(client, world):
    client.force_login(world.users.specialist)
    response = client.post(page_url(world), {
        "kind": DocumentKind.OTHER, "file": SimpleUploadedFile("报告.pdf", b"\x7fELF" + b"\0" * 64),
    }, headers=EN)
    assert response.status_code == 200
    assert "program or script" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_names() == []


def test_a_path_in_the_uploaded_name_never_reaches_the_storage(client, world):
    client.force_login(world.users.specialist)
    client.post(page_url(world), {
        "kind": DocumentKind.OTHER, "file": SimpleUploadedFile("../../x.pdf", PDF_BYTES),
    })
    document = Document.objects.get()
    assert document.original_name == "x.pdf"
    assert stored_names() == [document.file.name] and document.file.name.startswith("cases/")


@pytest.mark.parametrize("role", ["applicant", "chief", "department"])
def test_no_upload_form_and_no_upload_for_others(client, world, role):
    client.force_login(getattr(world.users, role))
    assert client.get(page_url(world)).context["form"] is None
    response = client.post(page_url(world), {"kind": DocumentKind.OTHER, "file": pdf_upload()})
    assert response.status_code == 403
    assert not Document.objects.exists()
