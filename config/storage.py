"""The case archive's storage backend, chosen by BANGBAN_STORAGE (docs/configuration.md)."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_choice, env_str


def archive_storage() -> dict:
    """The STORAGES["default"] entry. Object storage keeps files private and hands out no URLs:
    every download goes through the archive's permission check (bangban/documents/views.py)."""
    if env_choice("BANGBAN_STORAGE", ["filesystem", "s3"]) == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env_str("BANGBAN_S3_BUCKET").strip()
    if not bucket:
        raise ImproperlyConfigured("BANGBAN_STORAGE=s3 needs BANGBAN_S3_BUCKET")
    access_key, secret_key = (env_str("BANGBAN_S3_ACCESS_KEY_ID"),
                              env_str("BANGBAN_S3_SECRET_ACCESS_KEY"))
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both BANGBAN_S3_ACCESS_KEY_ID and BANGBAN_S3_SECRET_ACCESS_KEY, or neither"
        )
    endpoint = env_str("BANGBAN_S3_ENDPOINT_URL").strip()
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"BANGBAN_S3_ENDPOINT_URL={endpoint!r} is not an http:// or https:// URL"
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": env_str("BANGBAN_S3_REGION").strip() or None,
            "addressing_style": env_choice("BANGBAN_S3_ADDRESSING_STYLE",
                                           ["auto", "path", "virtual"]),
            "location": env_str("BANGBAN_S3_PREFIX").strip().strip("/"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # A file being read is buffered in memory up to this size, then on disk.
            "max_memory_size": 1024 * 1024,
        },
    }
