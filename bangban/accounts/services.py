"""Security actions on accounts: one-time code devices (TOTP) and lifting a login lockout.

Password changes go through Django's own form and view (`validate_password` applies the whole
policy, and the session survives the change); logins through django-axes' backend.
"""

import logging

from axes.utils import reset as reset_lockout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from bangban.accounts.security import can_use_totp
from bangban.core.errors import InvalidTransition, NotAllowed

log = logging.getLogger("bangban.security")

DEVICE_NAME = "Authenticator"


def _check_administrator(by):
    if not (by.is_active and (by.is_superuser or by.has_perm("accounts.change_user"))):
        raise NotAllowed()


@transaction.atomic
def totp_start_enrolment(*, user) -> TOTPDevice:
    """The user's unconfirmed device with a fresh secret, to show as a QR code."""
    if not can_use_totp(user):
        raise NotAllowed(_("One-time codes are for the service centres' staff."))
    if any(devices_for_user(user, confirmed=True)):
        raise InvalidTransition(_("Your one-time code app is set up already."))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_confirm_enrolment(*, user, token) -> TOTPDevice:
    """The first code from the app proves the secret was copied; the device then counts."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise InvalidTransition(_("Start the set-up again: there is nothing to confirm."))
    if not device.verify_token(token):
        raise ValidationError({"token": _("This code is wrong or has expired. Enter the code "
                                          "the app shows now.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log.info("TOTP device confirmed for user %s", user.pk)
    return device


@transaction.atomic
def totp_reset(*, user, by) -> int:
    """Removes every one-time code device of `user` (a lost phone); they set up a new one at
    their next login when codes are compulsory for them."""
    _check_administrator(by)
    count = 0
    for device in devices_for_user(user, confirmed=None, for_verify=True):
        device.delete()
        count += 1
    log.warning("TOTP devices of user %s reset by user %s (%d removed)", user.pk, by.pk, count)
    return count


def unlock_login(*, username, by) -> int:
    """Lifts the lockout of `username` from every address; returns the records removed."""
    _check_administrator(by)
    count = reset_lockout(username=username)
    log.warning("Login lockout of %r lifted by user %s", username, by.pk)
    return count
