import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger("bangban.accounts.sso")


class SSOEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class SSOStartView(SSOEnabledMixin, OIDCAuthenticationRequestView):
    """Sends the browser to the platform's login, with state, nonce and PKCE challenge kept in
    the session (mozilla-django-oidc) and `?next=` remembered."""


class SSOCallbackView(SSOEnabledMixin, OIDCAuthenticationCallbackView):
    """The platform sends the browser back here. Every failure ends on the login page with a
    message, and in the log: the local password form stays the way in."""

    def get(self, request):
        if request.GET.get("error"):
            logger.warning(
                "single sign-on: the platform answered %r (%r)",
                request.GET["error"][:100], request.GET.get("error_description", "")[:300],
            )
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # A state that this browser never sent (forged, replayed or from another tab's
            # expired session), or a token that fails the checks.
            logger.warning("single sign-on refused: %s", exc)
        except requests.HTTPError as exc:
            # The platform answered, but refused: a wrong secret or authentication method
            # (invalid_client), a reused code or a PKCE mismatch (invalid_grant).
            logger.error("single sign-on: the platform refused the request: %s", exc)
        except requests.RequestException as exc:
            logger.error("single sign-on: the platform could not be reached: %s", exc)
            return self._back_to_login(
                _("The unified identity platform cannot be reached at the moment. Please try "
                  "again later or log in with your password.")
            )
        return self.login_failure()

    def login_failure(self):
        refusal = getattr(self.request, "sso_refusal", None)
        if refusal is not None:
            return self._back_to_login(refusal.message)
        return self._back_to_login(
            _("Single sign-on could not be completed. Please try again or log in with your "
              "password.")
        )

    def _back_to_login(self, message):
        messages.error(self.request, message)
        return redirect("accounts:login")


def provider_logout_url(request):
    """The platform's end-session address for the user logging out, or "" when there is none
    to call; read before Django's logout empties the session."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and settings.OIDC_OP_END_SESSION_ENDPOINT and id_token):
        return ""
    query = urlencode({
        "id_token_hint": id_token,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(
            reverse(settings.LOGOUT_REDIRECT_URL)
        ),
    })
    return f"{settings.OIDC_OP_END_SESSION_ENDPOINT}?{query}"
