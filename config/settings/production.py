"""Settings for a deployment: every secret from the environment, HTTPS assumed."""

from config.settings.base import *  # noqa: F403
from config.env import env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
