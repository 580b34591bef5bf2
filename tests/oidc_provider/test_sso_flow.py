"""Single sign-on end to end: Bangban (live_server) against a real OpenID Connect provider.

Each test drives the authorization code flow with PKCE the way a browser does (a requests
session following redirects and submitting the provider's login form); the last one clicks
through it in Chromium. The provider's accounts are in provider.mjs: account id `u-1001` has
`preferred_username` "zhangwei" and `staff_number` "S-1001", and so on.
"""

import logging
import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from bangban.accounts.models import OIDCIdentity
from tests.browser.fixtures import FACTORY_PASSWORD, screenshot
from tests.factories import CompanyContactFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def staff(username, **kwargs):
    user = UserFactory(username=username, **kwargs)
    MembershipFactory(user=user)
    return user


def english_session():
    session = requests.Session()
    session.headers["Accept-Language"] = "en"
    return session


def provider_login_form(session, live_server, next_url=""):
    """Clicks the SSO button: returns the provider's login page response."""
    start = live_server.url + reverse("accounts:sso_start")
    if next_url:
        start += "?" + urlencode({"next": next_url})
    response = session.get(start, timeout=10)
    assert response.status_code == 200
    assert 'name="login"' in response.text, response.text[:500]
    return response


def submit_provider_login(session, login_page, account, *, follow=True):
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', login_page.text).group(1))
    return session.post(
        urljoin(login_page.url, action),
        data={"prompt": "login", "login": account, "password": "anything"},
        allow_redirects=follow, timeout=10,
    )


def sso_login(session, live_server, account, next_url=""):
    return submit_provider_login(
        session, provider_login_form(session, live_server, next_url), account
    )


def callback_url(session, live_server, account):
    """Runs the flow up to the provider's redirect back to Bangban, without following it."""
    response = submit_provider_login(
        session, provider_login_form(session, live_server), account, follow=False
    )
    callback = live_server.url + reverse("accounts:sso_callback")
    while not response.headers["Location"].startswith(callback):
        response = session.get(
            urljoin(response.url, response.headers["Location"]), allow_redirects=False,
            timeout=10,
        )
    return response.headers["Location"]


def logged_in_user_name(session, live_server):
    page = session.get(live_server.url + reverse("accounts:login"), timeout=10).text
    match = re.search(r'class="[^"]*bb-user[^"]*"[^>]*>\s*([^<]+?)\s*<', page)
    return match.group(1) if match else None


def alert_text(response):
    alerts = re.findall(r'<div class="alert alert-danger.*?</div>', response.text, re.S)
    return " ".join(" ".join(unescape(re.sub(r"<[^>]+>", " ", a)).split()) for a in alerts)


def test_sso_logs_the_mapped_staff_user_in_and_keeps_the_subject(
        live_server, sso_settings, oidc_provider):
    user = staff("zhangwei", full_name="张伟")
    session = english_session()

    response = sso_login(session, live_server, "u-1001",
                         next_url=reverse("accounts:login") + "?after=sso")

    assert response.url == live_server.url + reverse("accounts:login") + "?after=sso"
    assert logged_in_user_name(session, live_server) == "张伟"
    identity = OIDCIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (
        user, oidc_provider.issuer, "u-1001"
    )
    assert identity.last_login_at is not None


def test_a_later_login_matches_by_subject_even_after_the_user_was_renamed(
        live_server, sso_settings):
    user = staff("zhangwei", full_name="张伟")
    sso_login(english_session(), live_server, "u-1001")
    user.username = "zhang.wei"
    user.save()
    # Someone else now holds the old user name: the subject, not the name, decides.
    staff("zhangwei", full_name="另一个张伟")

    session = english_session()
    sso_login(session, live_server, "u-1001")

    assert logged_in_user_name(session, live_server) == "张伟"
    assert OIDCIdentity.objects.count() == 1


def test_an_unknown_identity_is_refused_on_the_login_page_and_logged(
        live_server, sso_settings, caplog):
    staff("zhangwei")
    session = english_session()

    with caplog.at_level(logging.WARNING, logger="bangban.accounts.sso"):
        response = sso_login(session, live_server, "u-9999")

    assert response.url == live_server.url + reverse("accounts:login")
    assert "No staff account of this platform belongs to your identity (u-9999)" in (
        alert_text(response)
    )
    assert logged_in_user_name(session, live_server) is None
    assert OIDCIdentity.objects.count() == 0
    assert any("single sign-on refused (unknown)" in r.getMessage() and "u-9999" in r.getMessage()
               for r in caplog.records)


def test_an_inactive_user_is_refused(live_server, sso_settings):
    staff("zhangwei", is_active=False)
    session = english_session()

    response = sso_login(session, live_server, "u-1001")

    assert "Your account (zhangwei) is disabled" in alert_text(response)
    assert logged_in_user_name(session, live_server) is None
    assert OIDCIdentity.objects.count() == 0


def test_a_company_contact_with_the_same_user_name_is_not_taken_over(live_server, sso_settings):
    contact = UserFactory(username="wangwu")
    CompanyContactFactory(user=contact)
    session = english_session()

    response = sso_login(session, live_server, "u-1003")

    assert "No staff account" in alert_text(response)
    assert logged_in_user_name(session, live_server) is None


def test_the_claim_can_be_a_staff_number(live_server, sso_settings):
    sso_settings.OIDC_USER_CLAIM = "staff_number"
    sso_settings.OIDC_USER_FIELD = "staff_number"
    user = UserFactory(username="li.si", full_name="李四")
    MembershipFactory(user=user, staff_number="S-1002")
    session = english_session()

    sso_login(session, live_server, "u-1002")

    assert logged_in_user_name(session, live_server) == "李四"
    assert OIDCIdentity.objects.get().subject == "u-1002"


def test_a_tampered_state_is_refused(live_server, sso_settings, caplog):
    staff("zhangwei")
    session = english_session()
    callback = callback_url(session, live_server, "u-1001")
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    assert query["code"] and query["state"]
    tampered = callback.replace(query["state"][0], "forged-" + query["state"][0][7:])

    with caplog.at_level(logging.WARNING, logger="bangban.accounts.sso"):
        response = session.get(tampered, timeout=10)

    assert response.url == live_server.url + reverse("accounts:login")
    assert "Single sign-on could not be completed" in alert_text(response)
    assert logged_in_user_name(session, live_server) is None
    assert any("state not found" in r.getMessage() for r in caplog.records)


def test_a_code_cannot_be_replayed_in_another_browser(live_server, sso_settings):
    staff("zhangwei")
    callback = callback_url(english_session(), live_server, "u-1001")
    attacker = english_session()

    response = attacker.get(callback, timeout=10)

    assert "Single sign-on could not be completed" in alert_text(response)
    assert logged_in_user_name(attacker, live_server) is None
    assert OIDCIdentity.objects.count() == 0


def test_local_login_keeps_working_beside_sso(live_server, sso_settings):
    staff("zhangwei")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    page = client.get(reverse("accounts:login"))
    assert "Sign in with the unified identity platform" in page.content.decode()
    response = client.post(reverse("accounts:login"),
                           {"username": "zhangwei", "password": FACTORY_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


def test_logout_also_ends_the_session_at_the_platform(live_server, sso_settings, oidc_provider):
    sso_settings.OIDC_OP_END_SESSION_ENDPOINT = oidc_provider.configuration["end_session_endpoint"]
    sso_settings.OIDC_STORE_ID_TOKEN = True
    staff("zhangwei", full_name="张伟")
    session = english_session()
    sso_login(session, live_server, "u-1001")
    page = session.get(live_server.url + reverse("accounts:login"), timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = session.post(live_server.url + reverse("accounts:logout"),
                            data={"csrfmiddlewaretoken": token},
                            headers={"Referer": live_server.url}, timeout=10)

    assert response.url.startswith(oidc_provider.configuration["end_session_endpoint"])
    assert logged_in_user_name(session, live_server) is None
    # The platform asks to confirm; confirming ends its session and comes back to Bangban.
    form = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', response.text).group(1)
    back = session.post(urljoin(response.url, unescape(form)),
                        data={"xsrf": xsrf, "logout": "yes"}, timeout=10)
    assert back.url == live_server.url + reverse("accounts:login")
    # The platform's session is gone: the next single sign-on asks for the login again.
    assert 'name="login"' in provider_login_form(session, live_server).text


@pytest.mark.browser
def test_sso_in_the_browser(live_server, sso_settings, new_page):
    staff("zhangwei", full_name="张伟")
    page = new_page(locale="en-US")

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_role("link", name="Sign in with the unified identity platform").click()
    page.locator("input[name=login]").fill("u-1001")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()

    page.locator(".bb-user").wait_for()
    assert page.locator(".bb-user").inner_text() == "张伟"
    screenshot(page, "sso-logged-in")


def test_a_token_from_another_issuer_is_refused(live_server, sso_settings, caplog):
    sso_settings.OIDC_OP_ISSUER = "https://idp.example.gov.cn"
    staff("zhangwei")
    session = english_session()

    with caplog.at_level(logging.WARNING, logger="bangban.accounts.sso"):
        response = sso_login(session, live_server, "u-1001")

    assert "Single sign-on could not be completed" in alert_text(response)
    assert logged_in_user_name(session, live_server) is None
    assert any("ID token from issuer" in r.getMessage() for r in caplog.records)


def test_a_wrong_client_secret_is_reported_in_the_log(live_server, sso_settings, caplog):
    sso_settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    staff("zhangwei")
    session = english_session()

    with caplog.at_level(logging.WARNING, logger="bangban.accounts.sso"):
        response = sso_login(session, live_server, "u-1001")

    assert "Single sign-on could not be completed" in alert_text(response)
    assert logged_in_user_name(session, live_server) is None
    assert any("refused the request" in r.getMessage() and "invalid_client" in r.getMessage()
               for r in caplog.records)


def test_an_unreachable_token_endpoint_gets_its_own_message(live_server, sso_settings):
    sso_settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    staff("zhangwei")
    session = english_session()

    response = sso_login(session, live_server, "u-1001")

    assert "The unified identity platform cannot be reached" in alert_text(response)
    assert logged_in_user_name(session, live_server) is None


def test_cancelling_at_the_platform_comes_back_to_the_login_page(live_server, sso_settings):
    session = english_session()
    login_page = provider_login_form(session, live_server)
    cancel = re.search(r'<a href="([^"]+/abort)"', login_page.text).group(1)

    response = session.get(urljoin(login_page.url, unescape(cancel)), timeout=10)

    assert response.url == live_server.url + reverse("accounts:login")
    assert "Single sign-on could not be completed" in alert_text(response)


def test_refused_identities_do_not_lock_the_address_out_of_sso(live_server, sso_settings):
    # An office shares one address; someone refused must not lock out their colleagues.
    staff("zhangwei", full_name="张伟")
    for attempt in range(sso_settings.AXES_FAILURE_LIMIT + 1):
        refused = sso_login(english_session(), live_server, f"u-90{attempt}")
        assert "No staff account" in alert_text(refused)

    session = english_session()
    sso_login(session, live_server, "u-1001")

    assert logged_in_user_name(session, live_server) == "张伟"
