"""BANGBAN_STORAGE and BANGBAN_S3_*: the archive's backend, and loud failures on bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.storage import archive_storage


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in ["BANGBAN_STORAGE", "BANGBAN_S3_BUCKET", "BANGBAN_S3_ENDPOINT_URL",
                 "BANGBAN_S3_ACCESS_KEY_ID", "BANGBAN_S3_SECRET_ACCESS_KEY", "BANGBAN_S3_REGION",
                 "BANGBAN_S3_ADDRESSING_STYLE", "BANGBAN_S3_PREFIX"]:
        monkeypatch.delenv(name, raising=False)


def test_the_filesystem_is_the_default():
    assert archive_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_with_every_option(monkeypatch):
    for name, value in {"BANGBAN_STORAGE": "S3", "BANGBAN_S3_BUCKET": "archive",
                        "BANGBAN_S3_ENDPOINT_URL": "http://minio.internal:9000",
                        "BANGBAN_S3_ACCESS_KEY_ID": "key", "BANGBAN_S3_SECRET_ACCESS_KEY": "secret",
                        "BANGBAN_S3_REGION": "cn-north-1", "BANGBAN_S3_ADDRESSING_STYLE": "path",
                        "BANGBAN_S3_PREFIX": "/bangban/"}.items():
        monkeypatch.setenv(name, value)
    storage = archive_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "archive", "endpoint_url": "http://minio.internal:9000",
        "access_key": "key", "secret_key": "secret", "region_name": "cn-north-1",
        "addressing_style": "path", "location": "bangban", "default_acl": "private",
        "querystring_auth": True, "file_overwrite": False, "max_memory_size": 1024 * 1024,
    }


@pytest.mark.parametrize(("variables", "message"), [
    ({"BANGBAN_STORAGE": "ftp"}, "BANGBAN_STORAGE='ftp'"),
    ({"BANGBAN_STORAGE": "s3"}, "BANGBAN_S3_BUCKET"),
    ({"BANGBAN_STORAGE": "s3", "BANGBAN_S3_BUCKET": "b", "BANGBAN_S3_ACCESS_KEY_ID": "k"},
     "BANGBAN_S3_SECRET_ACCESS_KEY"),
    ({"BANGBAN_STORAGE": "s3", "BANGBAN_S3_BUCKET": "b",
      "BANGBAN_S3_ENDPOINT_URL": "minio:9000"}, "BANGBAN_S3_ENDPOINT_URL"),
    ({"BANGBAN_STORAGE": "s3", "BANGBAN_S3_BUCKET": "b",
      "BANGBAN_S3_ADDRESSING_STYLE": "sideways"}, "BANGBAN_S3_ADDRESSING_STYLE"),
])
def test_bad_values_stop_start_up_naming_the_variable(monkeypatch, variables, message):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        archive_storage()
