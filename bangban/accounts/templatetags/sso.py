from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def sso_button_label():
    """The single sign-on button's text, or "" when single sign-on is off."""
    if not settings.OIDC_ENABLED:
        return ""
    return settings.OIDC_BUTTON_LABEL or _("Sign in with the unified identity platform")
