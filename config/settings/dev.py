"""Settings for a developer's machine and the SQLite demo."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-not-secret")

from config.settings.base import *  # noqa: E402,F403
from config.env import env_str  # noqa: E402

SECRET_KEY = env_str("DJANGO_SECRET_KEY")

WHITENOISE_USE_FINDERS = True
