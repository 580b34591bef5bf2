from base64 import b32encode

import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_ratelimit.core import is_ratelimited

from bangban.accounts import selectors, services
from bangban.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from bangban.accounts.middleware import CHECKED_SESSION_KEY
from bangban.accounts.security import can_use_totp, client_ip
from bangban.accounts.sso import views as sso_views
from bangban.core.errors import DomainError
from bangban.core.forms import add_service_error

# Login attempts per address and per user name, on top of the lockout (per both together):
# one address trying many names, or many addresses trying one name, are held back as well.
LOGIN_RATE_PER_ADDRESS = "30/10m"
LOGIN_RATE_PER_USERNAME = "20/h"
# One-time codes have a million values; a few tries per code are enough for typing mistakes.
TOKEN_RATE = "10/10m"


def _wants_json(request):
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def rate_limited(request, exception=None):
    """429 for too many requests (also django-ratelimit's RATELIMIT_VIEW)."""
    message = _("Too many requests in a short time. Please wait a few minutes and try again.")
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": "600"})
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = "600"
    return response


def _lockout_message(until):
    local = timezone.localtime(until)
    return _("Too many failed logins: this account is locked at your address until %(time)s. "
             "Try again after that, or ask an administrator to unlock it.") % {
        "time": local.strftime("%Y-%m-%d %H:%M")
    }


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page with when to retry,
    or JSON for the API."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = selectors.lockout_ends_at(username=username, ip_address=client_ip(request))
    until = until or timezone.now() + get_cool_off(request)
    message = _lockout_message(until)
    retry_after = str(max(1, int((until - timezone.now()).total_seconds())))
    if _wants_json(request):
        return JsonResponse({"detail": message, "retry_at": until.isoformat()}, status=429,
                            headers={"Retry-After": retry_after})
    form = LoginForm(request, initial={"username": username})
    response = render(request, "accounts/login.html", {
        "form": form, "locked_message": message, "next": request.POST.get("next", ""),
    }, status=429)
    response["Retry-After"] = retry_after
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        by_address = is_ratelimited(request, group="accounts.login.address", key="ip",
                                    rate=LOGIN_RATE_PER_ADDRESS, method="POST", increment=True)
        by_username = is_ratelimited(request, group="accounts.login.username",
                                     key="post:username", rate=LOGIN_RATE_PER_USERNAME,
                                     method="POST", increment=True)
        if by_address or by_username:
            return rate_limited(request)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the navigation bar submits a small form with the CSRF token.

    After a single sign-on with BANGBAN_OIDC_END_SESSION_ENDPOINT set, the browser goes on to
    the platform's logout, which sends it back to the login page."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso_views.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return redirect(provider_logout) if provider_logout else response


class PasswordChangeView(auth_views.PasswordChangeView):
    """The whole password policy applies (AUTH_PASSWORD_VALIDATORS); the session survives."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("portal:workbench")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, can_use_totp=can_use_totp(self.request.user))

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse_lazy(settings.LOGIN_REDIRECT_URL)


def _second_factor_passed(request, device):
    otp_login(request, device)
    request.session[CHECKED_SESSION_KEY] = request.user.pk


@login_required
def two_factor_setup(request):
    """Set up a one-time code app: scan the QR code, confirm with the first code."""
    if request.user.is_verified():
        return render(request, "accounts/two_factor_setup.html", {"enabled": True})
    try:
        device = services.totp_start_enrolment(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_confirm_enrolment(
                user=request.user, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("accounts:two_factor_setup")
        else:
            _second_factor_passed(request, device)
            messages.success(request, _("Your one-time code app is set up. You will enter a "
                                        "code from it at every login."))
            return redirect(_next_url(request))
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "secret": b32encode(device.bin_key).decode("ascii").rstrip("="),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, border=2),
        "next": request.GET.get("next", ""),
    })


@login_required
def two_factor_verify(request):
    """The second step of the login: the code from the user's app."""
    devices = list(devices_for_user(request.user, confirmed=True))
    if request.user.is_verified() or not devices:
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if is_ratelimited(request, group="accounts.two_factor", key="user", rate=TOKEN_RATE,
                          method="POST", increment=True):
            return rate_limited(request)
        if form.is_valid():
            token = form.cleaned_data["token"]
            device = next((d for d in devices
                           if verify_token(request.user, d.persistent_id, token)), None)
            if device is not None:
                _second_factor_passed(request, device)
                return redirect(_next_url(request))
            fresh = devices_for_user(request.user, confirmed=True)
            if not any(d.verify_is_allowed()[0] for d in fresh):
                form.add_error("token", _("Too many wrong codes: wait a minute, then enter the "
                                          "code the app shows then."))
            else:
                form.add_error("token", _("This code is wrong or has expired. Enter the code "
                                          "the app shows now."))
    return render(request, "accounts/two_factor_verify.html",
                  {"form": form, "next": request.GET.get("next", "")})
