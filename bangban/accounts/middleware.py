from urllib.parse import urlencode

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from bangban.accounts.security import needs_totp_enrolment, needs_totp_verification
from bangban.core.views import htmx_redirect

# Set once a session's user needs no (further) one-time code, so that the device tables are
# read once per login rather than on every request.
CHECKED_SESSION_KEY = "bb_second_factor_checked"


class TwoFactorMiddleware:
    """Between the password and the rest of the site: a user with a one-time code device
    enters a code first; staff who must use one and have none set one up first. A single
    sign-on whose platform did a second factor is settled at login (security.start_session)."""

    # Paths reachable half-way: the code pages, logging out, the language switch, assets.
    OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(CHECKED_SESSION_KEY) != user.pk
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            if needs_totp_verification(user):
                return self._divert(request, "accounts:two_factor_verify")
            if needs_totp_enrolment(user):
                return self._divert(request, "accounts:two_factor_setup")
            request.session[CHECKED_SESSION_KEY] = user.pk
        return self.get_response(request)

    def _divert(self, request, url_name):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Enter your one-time code on the login page first.")}, status=403
            )
        url = reverse(url_name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return htmx_redirect(request, url)
