"""Password rules of 等保 level 3 beyond Django's own (length, similarity to the user's names,
common passwords, all digits): a mix of character classes, and no reuse of recent passwords.

Both run wherever a password is set through `validate_password`: registration, invitations,
the password change page and the admin.
"""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (str.isupper, str.islower, str.isdigit)


def character_classes(password):
    """How many of upper case, lower case, digits and symbols the password uses."""
    used = sum(any(test(c) for c in password) for test in CHARACTER_CLASSES)
    symbols = any(not c.isalnum() for c in password)
    return used + symbols


class CharacterClassValidator:
    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_uniform")

    def get_help_text(self):
        return _(
            "Your password must mix at least %(count)d of these: capital letters, small "
            "letters, digits and symbols."
        ) % {"count": self.min_classes}


class PasswordHistoryValidator:
    """Refuses the user's last `count` passwords; each change is remembered in
    `password_changed`, which Django calls after saving a user with a new password."""

    def __init__(self, count=5):
        self.count = count

    def _recent(self, user):
        from bangban.accounts.models import PasswordHistory

        return PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")

    def validate(self, password, user=None):
        if not self.count or user is None or user.pk is None:
            return
        hashes = list(self._recent(user).values_list("password", flat=True)[: self.count])
        if user.has_usable_password():
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        if not self.count or user is None or user.pk is None:
            return
        from bangban.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = self._recent(user).values_list("pk", flat=True)[self.count:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        if not self.count:
            return ""
        return ngettext(
            "Your password must differ from your last password.",
            "Your password must differ from your last %(count)d passwords.",
            self.count,
        ) % {"count": self.count}
