"""Token authentication for other systems: `Authorization: Bearer <key>`. The request then acts
as the token's user, so every permission check of the services and selectors applies, and the
token's scopes (bangban/api/scopes.py) narrow it further (permissions.TokenScopes)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from bangban.api import selectors, services

KEYWORD = "Bearer"


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None  # not ours: the session (or nobody) then
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer <key>”."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = selectors.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is not active."))
        services.touch_api_token(token, now)
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "bangban.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_(
                "An API token: `Authorization: Bearer <key>`. An administrator creates it "
                "(`manage.py create_api_token` or the admin); the key is shown once. The "
                "request acts as the token's user, limited to the token's scopes."
            )),
        }
