"""Who must use a one-time code, and the client's address as the lockout sees it."""

import time

from django.conf import settings
from django_otp import user_has_device

from bangban.accounts.permissions import memberships_of


def client_ip(request):
    """The visitor's address: the proxy's header when one is configured (as for the rate
    limits), else the connection's."""
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    address = request.META.get(header) if header else None
    return (address or request.META.get("REMOTE_ADDR") or "").split(",")[0].strip()


def is_staff_user(user):
    """Staff of the service centres (any role but company contact) and administrators."""
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or bool(memberships_of(user))
    )


def can_use_totp(user):
    return is_staff_user(user)


def needs_totp_enrolment(user):
    return (
        settings.TOTP_REQUIRED_FOR_STAFF and is_staff_user(user) and not user_has_device(user)
    )


def idp_second_factor(amr):
    """The ID token's `amr` (authentication methods, RFC 8176) when it shows that the identity
    platform did a second factor this deployment trusts (BANGBAN_OIDC_TRUSTED_AMR), else []."""
    if not isinstance(amr, list) or not all(isinstance(method, str) for method in amr):
        return []
    methods = set(amr)
    trusted = methods & set(settings.OIDC_TRUSTED_AMR)
    # A trusted method is a *second* factor only beside another one: a login with a text
    # message code alone is one factor. "mfa" is the platform's own word that there were two.
    if "mfa" in trusted or (trusted and len(methods) > 1):
        return amr
    return []


def second_factor_by_idp(user):
    """The `amr` that vouches for the second factor of the single sign-on now logging `user`
    in (set by SSOBackend on the user it returns); [] for every other login."""
    return getattr(user, "idp_second_factor_amr", [])


def needs_totp_verification(user):
    """A logged-in user with a confirmed device who has not yet entered a code this session."""
    return user.is_authenticated and not user.is_verified() and user_has_device(user)


def start_session(sender, request, user, **kwargs):
    """At login (user_logged_in), stamp the session for the timeouts and settle whether a
    one-time code is due, so that the requests after it need neither a device query nor a
    session write. None is due after a single sign-on whose platform did a second factor."""
    from bangban.accounts.middleware import CHECKED_SESSION_KEY
    from bangban.core.middleware import SessionTimeoutMiddleware

    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[SessionTimeoutMiddleware.STARTED_KEY] = now
    session[SessionTimeoutMiddleware.SEEN_KEY] = now
    if second_factor_by_idp(user) or (
        not user_has_device(user) and not needs_totp_enrolment(user)
    ):
        session[CHECKED_SESSION_KEY] = user.pk
