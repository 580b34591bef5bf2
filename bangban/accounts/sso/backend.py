import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from bangban.accounts.security import idp_second_factor
from bangban.accounts.sso.services import SSORefused, sso_sign_in

logger = logging.getLogger("bangban.accounts.sso")


class SSOBackend(OIDCAuthenticationBackend):
    """Logs in the local user the unified identity platform vouches for.

    mozilla-django-oidc exchanges the code (with the PKCE verifier) and checks the ID token's
    signature and nonce; this adds the issuer and audience checks it leaves out, and maps the
    identity with `sso_sign_in` instead of matching or creating users by e-mail. A refusal is
    left on the request for the callback view to show; a second factor done by the platform
    (security.idp_second_factor) on the user it returns, for security.start_session.
    """

    def __init__(self, *args, **kwargs):
        # Django builds every backend for every login; unconfigured, this one must stay inert
        # instead of complaining about missing endpoints.
        self.enabled = settings.OIDC_ENABLED
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password login posted with `?code=&state=`
        # in its address must not be turned into a token request.
        if not self.enabled or request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation(f"ID token from issuer {payload.get('iss')!r}")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token for audience {audience!r}")
        if not payload.get("sub"):
            raise SuspiciousOperation("ID token without a subject")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT:
            return {}
        return super().get_userinfo(access_token, id_token, payload)

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core §5.3.2: userinfo of another subject must not be used.
        if userinfo and userinfo.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        claims = {**payload, **userinfo}
        try:
            user = sso_sign_in(issuer=payload["iss"], subject=payload["sub"], claims=claims)
        except SSORefused as refusal:
            logger.warning(
                "single sign-on refused (%s): subject %s at %s, %s=%r",
                refusal.reason, payload["sub"], payload["iss"], settings.OIDC_USER_CLAIM,
                claims.get(settings.OIDC_USER_CLAIM),
            )
            self.request.sso_refusal = refusal
            return None
        # From the signed ID token only: an `amr` in the userinfo answer is not looked at.
        user.idp_second_factor_amr = idp_second_factor(payload.get("amr"))
        if user.idp_second_factor_amr:
            logger.info("single sign-on: second factor done by the platform (amr=%s) for user %s",
                        user.idp_second_factor_amr, user.pk)
        return user


def is_sso_attempt(request, credentials):
    """django-axes' AXES_WHITELIST_CALLABLE: single sign-on callbacks (the only logins with a
    nonce) neither count towards nor meet the lockout. The platform has already checked the
    person; a refused identity guesses nothing, and counting it would lock every colleague
    behind the same office address out of single sign-on."""
    return "nonce" in (credentials or {})
