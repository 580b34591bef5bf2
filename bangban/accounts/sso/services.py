import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import OIDCIdentity
from bangban.accounts.sso import selectors

logger = logging.getLogger("bangban.accounts.sso")


class SSORefused(Exception):
    """The platform vouched for someone Bangban does not let in; `message` is for the login
    page, `reason` and `name` for the log."""

    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    AMBIGUOUS = "ambiguous"
    ALREADY_LINKED = "already_linked"
    MISSING_CLAIM = "missing_claim"

    MESSAGES = {
        UNKNOWN: _(
            "No staff account of this platform belongs to your identity (%(name)s). Ask your "
            "service centre's administrator to set up your account, or log in with a password."
        ),
        INACTIVE: _(
            "Your account (%(name)s) is disabled. Ask your service centre's administrator."
        ),
        AMBIGUOUS: _(
            "More than one account of this platform matches your identity (%(name)s). Ask your "
            "service centre's administrator to correct the accounts."
        ),
        ALREADY_LINKED: _(
            "The account matching your identity (%(name)s) is already linked to another "
            "identity of the platform. Ask your service centre's administrator."
        ),
        MISSING_CLAIM: _(
            "The unified identity platform did not say who you are. Ask your service centre's "
            "administrator to check the single sign-on settings."
        ),
    }

    def __init__(self, reason, *, name=""):
        super().__init__(reason)
        self.reason = reason
        self.name = name

    @property
    def message(self):
        return self.MESSAGES[self.reason] % {"name": self.name}


def sso_sign_in(*, issuer, subject, claims):
    """The local user the platform's identity `subject` (at `issuer`) logs in as.

    The first login finds the user by the configured claim (BANGBAN_OIDC_USER_CLAIM compared
    with BANGBAN_OIDC_USER_FIELD) and records the subject; later logins go by the subject alone.
    Accounts are never created here: staff are provisioned in Bangban. Raises SSORefused.
    """
    name = str(claims.get(settings.OIDC_USER_CLAIM) or claims.get("name") or subject)
    with transaction.atomic():
        identity = selectors.sso_identity(issuer=issuer, subject=subject)
        if identity is not None:
            user = identity.user
            if not selectors.is_sso_staff(user):
                raise SSORefused(SSORefused.UNKNOWN, name=name)
        else:
            user = _match_first_login(issuer=issuer, claims=claims, name=name)
        if not user.is_active:
            raise SSORefused(SSORefused.INACTIVE, name=name)
        if identity is None:
            try:
                with transaction.atomic():
                    identity = OIDCIdentity.objects.create(
                        user=user, issuer=issuer, subject=subject
                    )
            except IntegrityError:
                # A simultaneous first login of the same account linked it a moment ago.
                raise SSORefused(SSORefused.ALREADY_LINKED, name=name) from None
            logger.info("single sign-on: linked %s at %s to user %s", subject, issuer, user.pk)
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at", "updated_at"])
    return user


def _match_first_login(*, issuer, claims, name):
    value = claims.get(settings.OIDC_USER_CLAIM)
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise SSORefused(SSORefused.MISSING_CLAIM, name=name)
    users = selectors.sso_matching_users(field=settings.OIDC_USER_FIELD, value=str(value).strip())
    if not users:
        raise SSORefused(SSORefused.UNKNOWN, name=name)
    if len(users) > 1:
        raise SSORefused(SSORefused.AMBIGUOUS, name=name)
    user = users[0]
    # A second subject for the same account means the platform reassigned the claim's value
    # (a reused user name); the newcomer must not inherit the earlier person's account.
    if OIDCIdentity.objects.filter(issuer=issuer, user=user).exists():
        raise SSORefused(SSORefused.ALREADY_LINKED, name=name)
    return user
