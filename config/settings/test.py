"""Settings for the test suite: fast hashing, in-memory e-mail, plain static storage."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
# Tests change data and read the dashboard straight after; the cache has its own tests.
os.environ.setdefault("BANGBAN_DASHBOARD_CACHE_SECONDS", "0")
os.environ.setdefault("BANGBAN_MEDIA_ROOT", tempfile.mkdtemp(prefix="bangban-media-"))

from config.settings.base import *  # noqa: E402,F403
from config.env import env_str  # noqa: E402

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# SQLite test database in a file (one per test process), not in memory, so that a test can run
# the worker as a separate process against it (bangban/notifications/tests/test_worker_kill.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"bangban-test-{os.getpid()}.sqlite3"),
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files straight from the source folders; nothing is collected.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
