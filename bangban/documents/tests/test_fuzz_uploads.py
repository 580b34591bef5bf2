"""Uploads fuzzed (issue 6 §5): random and mutated contents under hostile names, through the
service and through every upload page. Whatever arrives, either one document is stored whose
content type is its content's and whose names are clean, or the user gets a message and nothing
is stored: no row and no file. Never a server error."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bangban.cases import services as case_services
from bangban.documents.models import Document, DocumentKind
from bangban.documents.services import check_file_name, store_document, upload_to_archive
from bangban.documents.tests.conftest import stored_names
from bangban.documents.tests.fuzzing import (
    FUZZ,
    SPECIAL_NAMES,
    UPLOAD_LIMIT,
    assert_clean,
    assert_nothing_stored,
    contents,
    names,
    one_attempt,
)
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = UPLOAD_LIMIT


def _upload(name, content):
    """The file under any name: an UploadedFile would refuse some before they reach the code
    under test, a client sending them raw would not."""
    return ContentFile(content, name=name)


def _refused_or_stored(attempt):
    """Runs the service call; a ValidationError (with a message) is the only refusal allowed."""
    def guarded():
        try:
            return attempt()
        except ValidationError as error:
            assert error.messages and all(m.strip() for m in error.messages)
            return None
    return one_attempt(guarded)


@FUZZ
@given(name=names)
def test_check_file_name_always_gives_a_clean_short_name_or_refuses(name):
    try:
        cleaned = check_file_name(name)
    except ValidationError:
        assert "/" in name or "\\" in name
        return
    assert len(cleaned) <= 120
    assert not set('<>:"/\\|?*') & set(cleaned)
    assert not cleaned.startswith((".", " ")) and cleaned == cleaned.strip()


@FUZZ
@given(name=names, content=contents)
def test_store_document_stores_a_clean_document_or_nothing(world, small_limit, name, content):
    document, added, files = _refused_or_stored(lambda: store_document(
        case=world.case, kind=DocumentKind.OTHER, file=_upload(name, content),
        by=world.users.specialist, item=world.pushed))
    if document is None:
        assert_nothing_stored(added, files)
    else:
        assert added == [document]
        assert_clean(added[0], files, content, world.case)


@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_every_hostile_name_is_refused_or_cleaned(world, name):
    # Each of the hand-picked names once, whatever the fuzz tests happen to draw.
    document, added, files = _refused_or_stored(lambda: store_document(
        case=world.case, kind=DocumentKind.OTHER, file=_upload(name, PDF_BYTES),
        by=world.users.specialist))
    if document is None:
        assert "/" in name or "\\" in name
        assert_nothing_stored(added, files)
    else:
        assert_clean(added[0], files, PDF_BYTES, world.case)


@FUZZ
@given(name=names, content=contents, title=st.text(max_size=250))
def test_upload_to_archive_stores_a_clean_document_or_nothing(world, small_limit, name, content,
                                                              title):
    document, added, files = _refused_or_stored(lambda: upload_to_archive(
        case=world.case, by=world.users.specialist, kind=DocumentKind.MINUTES,
        file=_upload(name, content), title=title))
    if document is None:
        assert_nothing_stored(added, files)
    else:
        assert added == [document] and 0 < len(document.title) <= 200
        assert not [c for c in document.title if unicodedata.category(c).startswith("C")]
        assert_clean(added[0], files, content, world.case)


# 400: Django refused to parse the request (a name longer than a multipart header may be).
REFUSALS = (200, 400)


def _check_page(response, added, files, content, case):
    assert response.status_code in (*REFUSALS, 302), response.status_code
    if response.status_code == 302:
        assert len(added) == 1, "a redirect means the upload was stored"
        assert_clean(added[0], files, content, case)
    else:
        assert_nothing_stored(added, files)
        assert response.status_code == 400 or response.context["form"].errors


@FUZZ
@given(name=names, content=contents)
def test_the_archive_upload_page(client, world, small_limit, name, content):
    client.force_login(world.users.specialist)
    url = reverse("documents:case_archive", args=[world.case.pk])
    response, added, files = one_attempt(lambda: client.post(url, {
        "kind": DocumentKind.OTHER, "title": "", "file": _upload(name, content),
    }, headers=EN))
    _check_page(response, added, files, content, world.case)


@FUZZ
@given(name=names, content=contents)
def test_the_item_material_upload_page(client, world, small_limit, name, content):
    client.force_login(world.users.applicant)
    url = reverse("cases:item_action", args=[world.hidden.pk, "upload_material"])
    response, added, files = one_attempt(lambda: client.post(url, {
        "title": "施工图", "file": _upload(name, content),
    }, headers=EN))
    _check_page(response, added, files, content, world.case)


@FUZZ
@given(files=st.lists(st.tuples(names, contents), min_size=1, max_size=3))
def test_the_supplement_page_stores_every_file_or_none(client, world, small_limit,
                                                       supplement_item, files):
    client.force_login(world.users.applicant)
    url = reverse("cases:item_action", args=[supplement_item.pk, "supply_supplement"])
    response, added, stored = one_attempt(lambda: client.post(url, {
        "answer": "", "files": [_upload(name, content) for name, content in files],
    }, headers=EN))
    assert response.status_code in (*REFUSALS, 302), response.status_code
    if response.status_code != 302:
        assert_nothing_stored(added, stored)
        assert response.status_code == 400 or response.context["form"].errors
        return
    # The files that reached the server (an empty name is no file) are all stored.
    assert added and len(added) == len(stored)
    by_file = {document.file.name: document for document in added}
    assert set(by_file) == stored
    for document in added:
        assert_clean(document, {document.file.name}, document.stored_bytes, world.case)
        assert document.kind == DocumentKind.SUPPLEMENT
        assert document.stored_bytes in [content for _name, content in files]


def test_a_refused_supplement_file_leaves_the_accepted_ones_unwritten(world, supplement_item):
    # Found by the fuzz test above: the first file used to be written before the second was
    # refused, and stayed in storage without a row after the rollback.
    with pytest.raises(ValidationError):
        case_services.supply_supplement(
            item=supplement_item, by=world.users.applicant,
            files=[_upload("图纸.pdf", PDF_BYTES), _upload("图纸2.pdf", b"\x7fELF" + b"\0" * 64)])
    assert not Document.objects.filter(kind=DocumentKind.SUPPLEMENT).exists()
    assert stored_names() == []


def test_a_supplement_titled_after_a_hostile_file_name_is_stored(world, supplement_item):
    # Found by fuzzing on PostgreSQL: the supplement's title repeats the file's name, and a NUL
    # in it (possible through the API's JSON upload) made the insert fail with a server error.
    case_services.supply_supplement(item=supplement_item, by=world.users.applicant,
                                    files=[_upload("图纸\x00\u202egpj.pdf", PDF_BYTES)])
    document = Document.objects.get(kind=DocumentKind.SUPPLEMENT)
    assert document.original_name == "图纸gpj.pdf"
    assert "\x00" not in document.title and "\u202e" not in document.title
