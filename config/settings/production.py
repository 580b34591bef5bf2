"""Settings for a deployment: every secret from the environment, HTTPS assumed."""

from config.settings.base import *  # noqa: F403
from config.env import env_bool, env_int, env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only (docs/security.md); the proxy must set X-Forwarded-Proto for the redirect.
SECURE_SSL_REDIRECT = env_bool("BANGBAN_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("BANGBAN_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BANGBAN_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = SECURE_HSTS_INCLUDE_SUBDOMAINS
# The health checks answer the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
