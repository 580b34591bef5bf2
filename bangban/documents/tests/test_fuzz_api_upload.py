"""The API's archive upload fuzzed (issue 6 §5), multipart and JSON with base64, through the
client: 201 with one clean document, or 400 and nothing stored; never a server error."""

import base64

import pytest
from django.core.files.base import ContentFile
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from bangban.api.scopes import READ, WRITE
from bangban.api.services import create_api_token
from bangban.documents.tests.fuzzing import (
    FUZZ,
    UPLOAD_LIMIT,
    assert_clean,
    assert_nothing_stored,
    contents,
    names,
    one_attempt,
)

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    key = create_api_token(user=user, name="fuzz", scopes=[READ, WRITE]).key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = UPLOAD_LIMIT


@pytest.fixture
def api(world, small_limit):
    return _client(world.users.specialist)


def _url(world):
    return f"/api/v1/cases/{world.case.pk}/documents/"


def _check(response, added, files, content, case):
    assert response.status_code in (201, 400), (response.status_code, response.content[:300])
    if response.status_code == 201:
        assert len(added) == 1 and response.json()["id"] == added[0].pk
        assert_clean(added[0], files, content, case)
    else:
        assert_nothing_stored(added, files)


@FUZZ
@given(name=names, content=contents, kind=st.sampled_from(["other", "minutes", "material", ""]))
def test_multipart_upload(api, world, name, content, kind):
    response, added, files = one_attempt(lambda: api.post(
        _url(world), {"kind": kind, "file": ContentFile(content, name=name)},
        format="multipart"))
    _check(response, added, files, content, world.case)


_json_names = st.one_of(names, st.none(), st.integers(), st.lists(st.text(max_size=5),
                                                                  max_size=2))


@FUZZ
@given(name=_json_names, content=contents, garble=st.one_of(st.none(), st.text(max_size=40)))
def test_json_upload_with_base64(api, world, name, content, garble):
    """`garble`: text sent as the base64 instead of the content (mostly not base64 at all)."""
    if garble is not None:
        try:
            content = base64.b64decode(garble, validate=True)
        except ValueError:
            content = None
    encoded = base64.b64encode(content).decode() if garble is None else garble
    response, added, files = one_attempt(lambda: api.post(
        _url(world), {"kind": "other", "title": "纪要",
                      "file": {"name": name, "content_base64": encoded}},
        format="json"))
    if content is None:
        assert response.status_code == 400
    _check(response, added, files, content, world.case)


def _b64(content):
    return base64.b64encode(content).decode()


@settings(FUZZ, max_examples=80)
@given(files=st.lists(st.tuples(_json_names, contents), min_size=1, max_size=3))
def test_json_supplement_with_base64_files(world, small_limit, supplement_item, files):
    # The supplement's title repeats each file's name as sent: a NUL in one was a server error
    # on PostgreSQL.
    client = _client(world.users.applicant)
    url = f"/api/v1/items/{supplement_item.pk}/actions/supply_supplement/"
    response, added, stored = one_attempt(lambda: client.post(url, {"answer": "", "files": [
        {"name": name, "content_base64": _b64(content)} for name, content in files]},
        format="json"))
    assert response.status_code in (200, 201, 400), (response.status_code, response.content)
    if response.status_code == 400:
        assert_nothing_stored(added, stored)
        return
    assert len(added) == len(files) and {d.file.name for d in added} == stored
    for document in added:
        assert_clean(document, {document.file.name}, document.stored_bytes, world.case)
        assert document.stored_bytes in [content for _name, content in files]
        assert "\x00" not in document.title
