"""Receivers of Django's authentication signals: every login, failed login and logout."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from bangban.accounts.security import second_factor_by_idp
from bangban.audit.models import AuditKind
from bangban.audit.services import record


def on_login(sender, request, user, **kwargs):
    details = {"backend": getattr(user, "backend", "") or ""}
    # A single sign-on whose identity platform did the second factor: no one-time code asked.
    if amr := second_factor_by_idp(user):
        details["second_factor"] = "identity_provider"
        details["amr"] = amr
    record(AuditKind.LOGIN_SUCCEEDED, request=request, user=user, details=details)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; only the name is kept.
    username = str(credentials.get("username") or credentials.get("email") or "")
    record(AuditKind.LOGIN_FAILED, request=request, username=username)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.LOGOUT, request=request, user=user)


def connect():
    user_logged_in.connect(on_login, dispatch_uid="bangban.audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="bangban.audit.login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="bangban.audit.logout")
