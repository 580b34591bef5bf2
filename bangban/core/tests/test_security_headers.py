import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.urls import reverse

from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_pages_carry_the_security_headers_and_the_policy(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_the_workbench_has_no_inline_script_without_a_nonce(client):
    user = MembershipFactory().user
    client.force_login(user)
    response = client.get(reverse("portal:workbench"))
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_no_template_uses_inline_event_handlers():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for handler in ("onclick=", "onchange=", "onsubmit=", "onload=", "javascript:",
                        "hx-on"):
            if handler in text:
                offenders.append(f"{path.relative_to(ROOT)}: {handler}")
        if "<script>" in text or "<style>" in text:
            offenders.append(f"{path.relative_to(ROOT)}: inline block without nonce")
    assert offenders == []


def test_the_redis_cache_is_used_when_configured():
    env = {**os.environ, "BANGBAN_REDIS_URL": "redis://127.0.0.1:6379/15",
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    script = (
        "import django; django.setup();"
        "from django.core.cache import cache;"
        "cache.set('bb-redis-probe', 41); print(cache.incr('bb-redis-probe'));"
        "from django.core.cache import caches;print(type(caches['default']).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == ["42", "RedisCache"]


@override_settings(CACHES={"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/15",
}})
@pytest.mark.django_db
def test_the_login_rate_limit_counts_in_redis(client):
    caches["default"].clear()
    assert isinstance(caches["default"], RedisCache)
    from bangban.accounts.views import LOGIN_RATE_PER_ADDRESS

    for n in range(int(LOGIN_RATE_PER_ADDRESS.split("/")[0])):
        client.post(reverse("accounts:login"), {"username": f"x{n}", "password": "y"})
    assert client.post(reverse("accounts:login"),
                       {"username": "z", "password": "y"}).status_code == 429
    caches["default"].clear()


def test_check_deploy_is_clean_with_the_production_settings():
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BANGBAN_"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "q7#Vw9!pLx2@Rt5$Zk8^Mn3&Bc6*Hj1(Df4)Gs0-Ua7=Ye2+Wi9_Ox",
        "DJANGO_ALLOWED_HOSTS": "bangban.example.gov.cn",
        "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "check-deploy.sqlite3"),
    })
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def _views(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_view_is_exempt_from_csrf_protection():
    """Django REST framework marks its views exempt and checks CSRF itself for session
    logins (SessionAuthentication); token logins need none. Nothing else may be exempt."""
    from django.urls import get_resolver
    from rest_framework.views import APIView

    exempt = [
        route for route, view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False)
        and not issubclass(getattr(view, "cls", type(None)), APIView)
    ]
    assert exempt == []
