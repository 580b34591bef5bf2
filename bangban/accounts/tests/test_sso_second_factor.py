"""A single sign-on whose platform did a second factor (the ID token's `amr`, RFC 8176) asks for
no one-time code. The callback runs for real, with an ID token signed (HS256) with the client
secret; only the request that trades the code for the token is replaced."""

import logging
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bangban.accounts.middleware import CHECKED_SESSION_KEY
from bangban.accounts.security import idp_second_factor
from bangban.accounts.sso.backend import SSOBackend
from bangban.audit.models import AuditEvent, AuditKind
from tests.factories import MembershipFactory, UserFactory

ISSUER = "https://idp.example.gov.cn"
CLIENT_ID = "bangban"
CLIENT_SECRET = "client-secret-of-the-tests-0123456789"
FACTORY_PASSWORD = "pass-1234-word"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_on(settings):
    """Single sign-on on, BANGBAN_OIDC_TRUSTED_AMR left at its default."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{ISSUER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_OP_JWKS_ENDPOINT = None
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_USER_CLAIM = "preferred_username"
    settings.OIDC_USER_FIELD = "username"
    return settings


def staff(*, device=False):
    user = UserFactory(username="zhangwei")
    MembershipFactory(user=user)
    if device:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sso_login(client, *, amr=None):
    """Clicks the button and comes back from the platform with an ID token carrying `amr`
    (none when None)."""
    start = client.get(reverse("accounts:sso_start"))
    query = parse_qs(urlsplit(start.url).query)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "u-1001", "nonce": query["nonce"][0],
              "iat": now, "exp": now + 300, "preferred_username": "zhangwei"}
    if amr is not None:
        claims["amr"] = amr
    tokens = {"id_token": jwt.encode(claims, CLIENT_SECRET, algorithm="HS256"),
              "access_token": "access"}
    with mock.patch.object(SSOBackend, "get_token", return_value=tokens):
        response = client.get(reverse("accounts:sso_callback"),
                              {"code": "code", "state": query["state"][0]})
    assert response.status_code == 302
    assert client.session.get("_auth_user_backend") == "bangban.accounts.sso.backend.SSOBackend"
    return response


def asks_for_the_code(client):
    response = client.get(reverse("portal:workbench"))
    if response.status_code == 200:
        return False
    assert response.url.startswith(reverse("accounts:two_factor_verify")), response.url
    return True


def test_a_platform_that_did_mfa_spares_the_one_time_code(client, sso_on, caplog):
    user = staff(device=True)

    with caplog.at_level(logging.INFO, logger="bangban.accounts.sso"):
        sso_login(client, amr=["pwd", "mfa"])

    assert not asks_for_the_code(client)
    assert client.session[CHECKED_SESSION_KEY] == user.pk
    assert any("second factor done by the platform" in r.getMessage()
               and "mfa" in r.getMessage() for r in caplog.records)


def test_compulsory_codes_send_no_one_to_the_set_up_after_the_platforms_mfa(client, sso_on):
    sso_on.TOTP_REQUIRED_FOR_STAFF = True
    staff()

    sso_login(client, amr=["mfa"])

    assert client.get(reverse("portal:workbench")).status_code == 200


def test_compulsory_codes_still_send_staff_to_the_set_up_after_a_password_at_the_platform(
        client, sso_on):
    sso_on.TOTP_REQUIRED_FOR_STAFF = True
    staff()

    sso_login(client, amr=["pwd"])

    response = client.get(reverse("portal:workbench"))
    assert response.url.startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.parametrize("amr", [None, ["pwd"], ["sms"], ["kba", "pwd"], "mfa", [["mfa"]]],
                         ids=["no amr", "password", "text message code alone",
                              "untrusted second method", "not a list", "not strings"])
def test_a_platform_login_without_a_trusted_second_factor_asks_for_the_code(
        client, sso_on, amr):
    staff(device=True)

    sso_login(client, amr=amr)

    assert asks_for_the_code(client)


def test_an_empty_trusted_list_turns_the_trust_off(client, sso_on):
    sso_on.OIDC_TRUSTED_AMR = []
    staff(device=True)

    sso_login(client, amr=["pwd", "mfa"])

    assert asks_for_the_code(client)


def test_a_password_login_never_counts_the_platforms_second_factor(client, sso_on):
    user = staff(device=True)
    sso_login(client, amr=["pwd", "mfa"])
    assert not asks_for_the_code(client)
    client.post(reverse("accounts:logout"))

    client.post(reverse("accounts:login"), {"username": user.username,
                                            "password": FACTORY_PASSWORD})

    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert asks_for_the_code(client)


@pytest.mark.parametrize("trusted, amr, counts", [
    (["mfa", "otp", "sms", "hwk", "swk", "sc"], ["pwd", "otp"], True),
    (["mfa", "otp", "sms", "hwk", "swk", "sc"], ["hwk", "pin"], True),
    (["mfa", "otp", "sms", "hwk", "swk", "sc"], ["mfa"], True),
    (["mfa", "otp", "sms", "hwk", "swk", "sc"], ["otp"], False),
    (["mfa", "otp", "sms", "hwk", "swk", "sc"], ["otp", "otp"], False),
    (["mfa", "otp", "sms", "hwk", "swk", "sc"], ["pwd", "face"], False),
    (["face"], ["pwd", "face"], True),
    (["otp"], ["mfa"], False),
    ([], ["pwd", "mfa"], False),
])
def test_which_methods_count_as_the_second_factor(settings, trusted, amr, counts):
    settings.OIDC_TRUSTED_AMR = trusted
    assert idp_second_factor(amr) == (amr if counts else [])


@pytest.mark.parametrize(("amr", "recorded"), [(["pwd", "mfa"], True), (["pwd"], False)])
def test_the_audit_log_says_when_the_platform_did_the_second_factor(client, sso_on, amr,
                                                                     recorded):
    staff(device=True)

    sso_login(client, amr=amr)

    details = AuditEvent.objects.filter(kind=AuditKind.LOGIN_SUCCEEDED).get().details
    assert details["backend"] == "bangban.accounts.sso.backend.SSOBackend"
    if recorded:
        assert details["second_factor"] == "identity_provider" and details["amr"] == amr
    else:
        assert "second_factor" not in details and "amr" not in details
