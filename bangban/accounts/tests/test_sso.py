"""Single sign-on without a provider: off by default, the identity mapping rules, settings
checks. The flow against a real OpenID provider is in tests/oidc_provider/test_sso_flow.py."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from bangban.accounts.models import OIDCIdentity, User
from bangban.accounts.sso.backend import SSOBackend
from bangban.accounts.sso.services import SSORefused, sso_sign_in
from tests.factories import CompanyContactFactory, MembershipFactory, UserFactory

ISSUER = "https://idp.example.gov.cn"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_on(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_JWKS_ENDPOINT = f"{ISSUER}/jwks"
    settings.OIDC_USER_CLAIM = "preferred_username"
    settings.OIDC_USER_FIELD = "username"
    return settings


def staff(username, **kwargs):
    membership_kwargs = {k: kwargs.pop(k) for k in ["staff_number"] if k in kwargs}
    user = UserFactory(username=username, **kwargs)
    MembershipFactory(user=user, **membership_kwargs)
    return user


def test_sso_is_off_by_default_no_button_and_no_urls(client):
    assert settings.OIDC_ENABLED is False
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "unified identity platform" not in page.content.decode()
    assert reverse("accounts:sso_start") not in page.content.decode()
    assert client.get(reverse("accounts:sso_start")).status_code == 404
    assert client.get(reverse("accounts:sso_callback") + "?code=a&state=b").status_code == 404


def test_the_button_keeps_next_and_uses_the_configured_label(client, sso_on):
    sso_on.OIDC_BUTTON_LABEL = "浙里办统一身份认证登录"
    page = client.get(reverse("accounts:login") + "?next=/cases/%3Fpage%3D2")
    html = page.content.decode()
    assert "浙里办统一身份认证登录" in html
    assert reverse("accounts:sso_start") + "?next=/cases/%3Fpage%3D2" in html


def test_the_backend_ignores_password_logins_even_with_a_code_in_the_address(sso_on):
    user = staff("zhangwei")
    request = RequestFactory().post("/accounts/login/?code=x&state=y")
    backend = SSOBackend()
    assert backend.authenticate(request, username="zhangwei", password="pass-1234-word") is None
    request.session = {}
    # The password login itself still works through the model backend.
    assert authenticate(request, username="zhangwei", password="pass-1234-word") == user


def test_first_login_links_the_subject_and_later_logins_use_it(sso_on):
    user = staff("zhangwei")
    claims = {"preferred_username": "zhangwei"}
    assert sso_sign_in(issuer=ISSUER, subject="s1", claims=claims) == user
    user.username = "renamed"
    user.save()
    assert sso_sign_in(issuer=ISSUER, subject="s1", claims={"preferred_username": "other"}) == user
    identity = OIDCIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (user, ISSUER, "s1")


def test_the_same_subject_at_another_issuer_is_a_different_identity(sso_on):
    staff("zhangwei")
    sso_sign_in(issuer=ISSUER, subject="s1", claims={"preferred_username": "zhangwei"})
    with pytest.raises(SSORefused) as refused:
        sso_sign_in(issuer="https://other.example", subject="s1", claims={})
    assert refused.value.reason == SSORefused.MISSING_CLAIM


def test_a_reassigned_claim_does_not_hand_over_a_linked_account(sso_on):
    staff("zhangwei")
    sso_sign_in(issuer=ISSUER, subject="s1", claims={"preferred_username": "zhangwei"})
    with pytest.raises(SSORefused) as refused:
        sso_sign_in(issuer=ISSUER, subject="s2", claims={"preferred_username": "zhangwei"})
    assert refused.value.reason == SSORefused.ALREADY_LINKED
    assert OIDCIdentity.objects.count() == 1


def test_unknown_inactive_and_company_users_are_refused_without_creating_anything(sso_on):
    staff("disabled", is_active=False)
    CompanyContactFactory(user=UserFactory(username="company"))
    for name, reason in [("nobody", SSORefused.UNKNOWN), ("disabled", SSORefused.INACTIVE),
                         ("company", SSORefused.UNKNOWN)]:
        with pytest.raises(SSORefused) as refused:
            sso_sign_in(issuer=ISSUER, subject=f"sub-{name}", claims={"preferred_username": name})
        assert refused.value.reason == reason
        assert name in str(refused.value.message)
    assert OIDCIdentity.objects.count() == 0
    assert not User.objects.filter(username="nobody").exists()


def test_a_linked_user_who_lost_every_role_is_refused(sso_on):
    user = staff("zhangwei")
    sso_sign_in(issuer=ISSUER, subject="s1", claims={"preferred_username": "zhangwei"})
    user.memberships.all().delete()
    with pytest.raises(SSORefused) as refused:
        sso_sign_in(issuer=ISSUER, subject="s1", claims={})
    assert refused.value.reason == SSORefused.UNKNOWN


def test_a_deactivated_linked_user_is_refused(sso_on):
    user = staff("zhangwei")
    sso_sign_in(issuer=ISSUER, subject="s1", claims={"preferred_username": "zhangwei"})
    user.is_active = False
    user.save()
    with pytest.raises(SSORefused) as refused:
        sso_sign_in(issuer=ISSUER, subject="s1", claims={})
    assert refused.value.reason == SSORefused.INACTIVE


def test_matching_by_email_ignores_case_and_refuses_ambiguity(sso_on):
    sso_on.OIDC_USER_CLAIM = "email"
    sso_on.OIDC_USER_FIELD = "email"
    user = staff("zhangwei", email="Zhang.Wei@gov.example")
    assert sso_sign_in(issuer=ISSUER, subject="s1",
                       claims={"email": "zhang.wei@gov.example"}) == user
    staff("a", email="same@gov.example")
    staff("b", email="SAME@gov.example")
    with pytest.raises(SSORefused) as refused:
        sso_sign_in(issuer=ISSUER, subject="s2", claims={"email": "same@gov.example"})
    assert refused.value.reason == SSORefused.AMBIGUOUS


def test_matching_by_staff_number(sso_on):
    sso_on.OIDC_USER_CLAIM = "employee_no"
    sso_on.OIDC_USER_FIELD = "staff_number"
    user = staff("zhangwei", staff_number="S-1001")
    staff("lisi", staff_number="S-1002")
    assert sso_sign_in(issuer=ISSUER, subject="s1", claims={"employee_no": "S-1001"}) == user


@pytest.mark.parametrize("claims", [{}, {"preferred_username": ""},
                                    {"preferred_username": ["zhangwei"]}])
def test_a_missing_or_odd_claim_is_refused(sso_on, claims):
    staff("zhangwei")
    with pytest.raises(SSORefused) as refused:
        sso_sign_in(issuer=ISSUER, subject="s1", claims=claims)
    assert refused.value.reason == SSORefused.MISSING_CLAIM


def _settings_error(**environment):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_OIDC_")}
    env.update(environment, DJANGO_SECRET_KEY="x")
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"], env=env,
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )
    return result.returncode, result.stderr


def test_settings_refuse_an_incomplete_sso_configuration():
    code, stderr = _settings_error(BANGBAN_OIDC_CLIENT_ID="bangban")
    assert code != 0
    assert "BANGBAN_OIDC_CLIENT_SECRET, BANGBAN_OIDC_ISSUER" in stderr
    assert "BANGBAN_OIDC_JWKS_ENDPOINT" in stderr
    complete = {
        "BANGBAN_OIDC_CLIENT_ID": "bangban", "BANGBAN_OIDC_CLIENT_SECRET": "s",
        "BANGBAN_OIDC_ISSUER": "https://idp", "BANGBAN_OIDC_AUTHORIZATION_ENDPOINT": "https://a",
        "BANGBAN_OIDC_TOKEN_ENDPOINT": "https://t", "BANGBAN_OIDC_JWKS_ENDPOINT": "https://j",
    }
    assert _settings_error(**complete)[0] == 0
    code, stderr = _settings_error(**complete, BANGBAN_OIDC_SIGN_ALGO="none")
    assert code != 0 and "BANGBAN_OIDC_SIGN_ALGO='NONE'" in stderr
