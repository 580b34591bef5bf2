import pytest
from django.db import transaction
from django.test import override_settings

from tests.authorization.world import build_world


@pytest.fixture(scope="package")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("authorization-media")


@pytest.fixture(autouse=True)
def _media_root(settings, matrix_media):
    """Replaces the project's per-test empty MEDIA_ROOT: the world's files must stay readable,
    or a leaking download would hide behind a 404 for a missing file."""
    settings.MEDIA_ROOT = matrix_media


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, matrix_media):
    """Both parties, built once for the package inside a transaction that is rolled back at its
    end; each test runs in a savepoint of it (the `db` fixture), so a POST that did change
    something cannot spill into the next test."""
    with override_settings(MEDIA_ROOT=matrix_media), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
