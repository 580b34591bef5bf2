"""The system user: the actor of what the platform does by itself (the background worker's
supervision scan, and any other automatic step).

`LedgerEntry.actor` is required, so an automatic action needs a user to name. It is one row,
created on first use: username `system`, inactive (it cannot log in), no password, no roles.
Its name is stored in the site's default language, as the ledger shows it.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from bangban.accounts.models import User

SYSTEM_USERNAME = "system"


def system_user():
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    with translation.override(settings.LANGUAGE_CODE):
        full_name = gettext("System (automatic)")
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"full_name": full_name, "is_active": False, "password": "!"},
    )
    return user


def is_system_user(user):
    return getattr(user, "username", None) == SYSTEM_USERNAME
