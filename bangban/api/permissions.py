from django.utils.translation import gettext as _
from rest_framework import permissions

from bangban.api.models import ApiToken
from bangban.api.scopes import READ, WRITE


class TokenScopes(permissions.BasePermission):
    """A request with a token needs the view's scope: `required_scope` when the view names one,
    else `read` for GET/HEAD/OPTIONS and `write` for the rest. A browser session holds every
    scope (its user's permissions still apply)."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scope = required_scope(request, view)
        if scope in token.scopes:
            return True
        self.message = _("This token lacks the scope “%(scope)s”.") % {"scope": scope}
        return False


def required_scope(request, view):
    scope = getattr(view, "required_scope", None)
    if scope:
        return scope
    return READ if request.method in permissions.SAFE_METHODS else WRITE
