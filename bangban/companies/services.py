"""Writes for companies and their contacts: self-registration, invitations, company edits.

Self-registration is two steps. `start_registration` checks everything and stores a
`RegistrationRequest` with the password and a one-time code hashed, and queues the code by
e-mail or SMS; `verify_registration` creates the user, the company and its representative once
the code is entered. A code expires after `CODE_VALID_FOR`; after `MAX_WRONG_CODES` wrong ones
the request is closed; a new code can be asked for every `RESEND_AFTER`, `MAX_CODES` times.

An invitation is a signed, timestamped token naming the contact, the channel and the address it
was sent to; no row stores it. It is used up once the contact has a user account, it expires
after `INVITATION_MAX_AGE`, and re-addressing the contact invalidates links sent to the old
address.

Codes and invitations go to people who have no account yet, so they are written straight to
the notification outbox (same transaction, delivered and retried by the worker) rather than
through `notify`, which addresses users.
"""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bangban.accounts.models import Role
from bangban.accounts.permissions import memberships_of
from bangban.companies.credit_code import normalize_credit_code
from bangban.companies.models import (
    Company,
    CompanyContact,
    RegistrationRequest,
    VerificationChannel,
)
from bangban.core.errors import DomainError, NotAllowed
from bangban.notifications.models import OutboxMessage
from bangban.notifications.services import in_app_only_active, sms_number

INVITATION_MAX_AGE = timedelta(days=7)
INVITATION_SALT = "bangban.companies.invitation"

CODE_DIGITS = 6
CODE_VALID_FOR = timedelta(minutes=15)
MAX_WRONG_CODES = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_CODES = 5
# A request left unverified this long is closed; the visitor registers again.
REGISTRATION_VALID_FOR = timedelta(days=1)
CODE_SALT = "bangban.companies.registration-code"
# Anyone can start a registration with anyone's number: this caps the codes one address gets.
MAX_CODES_PER_ADDRESS_PER_HOUR = 10

# Staff who may look after companies' contacts and data (a supervisor only reads).
COMPANY_STAFF_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.ADMINISTRATOR})

COMPANY_EDITABLE_FIELDS = ("name", "legal_representative", "address", "phone")

REGISTRATION_FIELDS = ("username", "full_name", "phone", "email", "position", "company_name",
                       "credit_code", "legal_representative", "address", "company_phone")


class InvalidInvitation(DomainError):
    """`reason` says why, for pages and tests: forged, expired, stale (re-addressed) or used."""

    default_message = gettext_lazy("This invitation link is not valid.")

    def __init__(self, message=None, *, reason="forged"):
        self.reason = reason
        super().__init__(message)


class RegistrationClosed(DomainError):
    """The request can no longer be verified; `reason`: completed, expired or locked."""

    default_message = gettext_lazy("This registration can no longer be completed.")

    def __init__(self, message=None, *, reason="expired"):
        self.reason = reason
        super().__init__(message)


class ResendTooSoon(DomainError):
    default_message = gettext_lazy("Please wait a moment before asking for another code.")


def _rename(error, names):
    """Re-keys a model's ValidationError to the caller's parameter names."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): errors for field, errors in error.error_dict.items()}
    )


def duplicate_company_message():
    return _(
        "A company with this unified social credit code is already registered. Please ask "
        "the company's existing contact to invite you instead of registering it again."
    )


def is_company_staff(user):
    return any(m.role in COMPANY_STAFF_ROLES for m in memberships_of(user))


def is_administrator_of(user, company):
    """The representative and contacts marked as administrators manage the company's contacts."""
    return user.is_authenticated and CompanyContact.objects.filter(
        Q(is_representative=True) | Q(is_administrator=True), company=company, user=user
    ).exists()


def can_manage_company(user, company):
    """Staff and the company's administrators may edit the company and invite contacts."""
    return is_company_staff(user) or is_administrator_of(user, company)


def _unsaved_user(*, username, full_name, phone, email, errors):
    user = get_user_model()(
        username=username, full_name=full_name, phone=phone, email=email, is_active=True
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    return user


def _checked_password(password, user, errors):
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages


def _unsaved_company(details, errors):
    """The company of a registration, checked; the duplicate credit code has its own message."""
    if Company.objects.filter(credit_code=details["credit_code"]).exists():
        errors["credit_code"] = [duplicate_company_message()]
    company = Company(
        name=details["company_name"], credit_code=details["credit_code"],
        legal_representative=details["legal_representative"], address=details["address"],
        phone=details["company_phone"],
    )
    try:
        company.full_clean(validate_unique=False)
    except ValidationError as error:
        renamed = _rename(error, {"name": "company_name", "phone": "company_phone"})
        for field, messages in renamed.message_dict.items():
            errors.setdefault(field, messages)
    return company


def _queue_message(*, channel, address, event, subject, body):
    # Honour `notifications.services.in_app_only()` like `notify` does: the demo's addresses
    # belong to nobody.
    if in_app_only_active():
        return
    OutboxMessage.objects.create(
        channel=channel, event=event, address=address, subject=subject[:200], body=body,
        next_attempt_at=timezone.now(),
    )


# Self-registration ---------------------------------------------------------------------


def _code_hash(registration, code):
    return salted_hmac(CODE_SALT, f"{registration.token}:{code}").hexdigest()


def _send_code(registration, now):
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    registration.code_hash = _code_hash(registration, code)
    registration.code_expires_at = now + CODE_VALID_FOR
    registration.codes_sent += 1
    registration.last_sent_at = now
    minutes = int(CODE_VALID_FOR.total_seconds() // 60)
    subject = _("Your Bangban verification code: %(code)s") % {"code": code}
    body = ngettext(
        "Your verification code for registering %(company)s is %(code)s. It is valid for "
        "%(minutes)d minute. Do not give it to anyone.",
        "Your verification code for registering %(company)s is %(code)s. It is valid for "
        "%(minutes)d minutes. Do not give it to anyone.",
        minutes,
    ) % {"company": registration.details["company_name"], "code": code, "minutes": minutes}
    _queue_message(channel=registration.channel, address=registration.address,
                   event="registration_code", subject=subject, body=body)


@transaction.atomic
def start_registration(
    *, channel, username, password, full_name, phone, email, company_name, credit_code,
    legal_representative="", address="", company_phone="", position="",
) -> RegistrationRequest:
    """Checks a company's registration and sends the one-time code that completes it."""
    details = {
        "username": username, "full_name": full_name, "phone": phone, "email": email,
        "position": position, "company_name": company_name,
        "credit_code": normalize_credit_code(credit_code),
        "legal_representative": legal_representative, "address": address,
        "company_phone": company_phone,
    }
    errors = {}
    _unsaved_company(details, errors)
    user = _unsaved_user(username=username, full_name=full_name, phone=phone, email=email,
                         errors=errors)
    _checked_password(password, user, errors)
    if channel == VerificationChannel.EMAIL:
        send_to = email
        if not email:
            errors.setdefault("email", [_("Enter the e-mail address the code is sent to.")])
    elif channel == VerificationChannel.SMS:
        send_to = sms_number(phone)
        if not send_to:
            errors.setdefault("phone", [_("A code by SMS needs a mainland mobile number.")])
    else:
        errors["channel"] = [_("Choose how to receive the code.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    recent = RegistrationRequest.objects.filter(
        address=send_to, last_sent_at__gte=now - timedelta(hours=1)
    ).aggregate(sent=Sum("codes_sent"))["sent"] or 0
    if recent >= MAX_CODES_PER_ADDRESS_PER_HOUR:
        raise ResendTooSoon(_("Too many codes were sent to this address in the last hour. "
                              "Please try again later."))
    registration = RegistrationRequest(
        token=secrets.token_urlsafe(32), channel=channel, address=send_to, details=details,
        password_hash=make_password(password), code_expires_at=now, last_sent_at=now,
    )
    _send_code(registration, now)
    registration.save()
    return registration


def _open_registration(token, now):
    """The request, locked; RegistrationClosed when it can no longer be completed."""
    registration = RegistrationRequest.objects.select_for_update().filter(token=token).first()
    if registration is None:
        raise RegistrationClosed(_("This registration does not exist. Please register again."),
                                 reason="unknown")
    if registration.completed_at is not None:
        raise RegistrationClosed(
            _("This registration is complete already. Please log in."), reason="completed"
        )
    if registration.attempts >= MAX_WRONG_CODES:
        raise RegistrationClosed(
            _("Too many wrong codes were entered, so this registration was cancelled. Please "
              "register again."), reason="locked",
        )
    if registration.created_at + REGISTRATION_VALID_FOR < now:
        raise RegistrationClosed(
            _("This registration was not completed in time. Please register again."),
            reason="expired",
        )
    return registration


@transaction.atomic
def resend_registration_code(*, token) -> RegistrationRequest:
    now = timezone.now()
    registration = _open_registration(token, now)
    if registration.codes_sent >= MAX_CODES:
        raise ResendTooSoon(_("No more codes can be sent for this registration. Please "
                              "register again later."))
    wait = registration.last_sent_at + RESEND_AFTER - now
    if wait > timedelta(0):
        seconds = int(wait.total_seconds()) + 1
        raise ResendTooSoon(ngettext(
            "Please wait %(seconds)d second before asking for another code.",
            "Please wait %(seconds)d seconds before asking for another code.", seconds,
        ) % {"seconds": seconds})
    _send_code(registration, now)
    registration.save(update_fields=["code_hash", "code_expires_at", "codes_sent",
                                     "last_sent_at", "updated_at"])
    return registration


def verify_registration(*, token, code) -> CompanyContact:
    """Checks the one-time code and creates the user, the company and its representative.

    A wrong code is counted even though the call fails, so the count is committed before the
    error is raised.
    """
    with transaction.atomic():
        now = timezone.now()
        registration = _open_registration(token, now)
        code = (code or "").strip()
        if registration.code_expires_at < now:
            failure = ValidationError({"code": ValidationError(
                _("This code has expired. Ask for a new one."), code="expired"
            )})
        elif not constant_time_compare(_code_hash(registration, code), registration.code_hash):
            registration.attempts += 1
            registration.save(update_fields=["attempts", "updated_at"])
            left = MAX_WRONG_CODES - registration.attempts
            if left <= 0:
                failure = RegistrationClosed(
                    _("Too many wrong codes were entered, so this registration was cancelled. "
                      "Please register again."), reason="locked",
                )
            else:
                failure = ValidationError({"code": ValidationError(ngettext(
                    "The code is wrong. %(left)d attempt left.",
                    "The code is wrong. %(left)d attempts left.", left,
                ) % {"left": left}, code="wrong")})
        else:
            return _complete_registration(registration, now)
    raise failure


def _complete_registration(registration, now):
    details = registration.details
    errors = {}
    company = _unsaved_company(details, errors)
    user = _unsaved_user(username=details["username"], full_name=details["full_name"],
                         phone=details["phone"], email=details["email"], errors=errors)
    if errors:  # taken by someone else since the code was sent
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationError({"credit_code": duplicate_company_message()}) from None
    user.password = registration.password_hash
    user.save()
    contact = CompanyContact(
        company=company, user=user, name=details["full_name"], phone=details["phone"],
        email=details["email"], position=details["position"], is_representative=True,
        is_administrator=True,
    )
    contact.full_clean()
    contact.save()
    registration.completed_at = now
    registration.contact = contact
    registration.save(update_fields=["completed_at", "contact", "updated_at"])
    return contact


COMPANY_FIELDS = ("name", "credit_code", "legal_representative", "address", "phone")


@transaction.atomic
def create_companies(*, by, companies) -> list[Company]:
    """The service staff record companies without contacts (an import); their contacts are
    invited afterwards. `companies`: a dict of `COMPANY_FIELDS` per company. All or none, in
    a constant number of queries."""
    if not is_company_staff(by):
        raise NotAllowed(_("Only the service staff may add companies."))
    built = []
    for fields in companies:
        unknown = set(fields) - set(COMPANY_FIELDS)
        if unknown:
            raise TypeError(f"create_companies() got unexpected fields: {sorted(unknown)}")
        company = Company(**{**fields,
                             "credit_code": normalize_credit_code(fields.get("credit_code"))})
        company.full_clean(validate_unique=False)
        built.append(company)
    codes = [company.credit_code for company in built]
    if len(set(codes)) < len(codes) or Company.objects.filter(credit_code__in=codes).exists():
        raise ValidationError({"credit_code": existing_company_message()})
    try:
        with transaction.atomic():
            Company.objects.bulk_create(built)
    except IntegrityError:  # added by someone else a moment ago
        raise ValidationError({"credit_code": existing_company_message()}) from None
    return built


def existing_company_message():
    return _("A company with this unified social credit code already exists.")


@transaction.atomic
def update_company(*, company, by, **fields) -> Company:
    if "credit_code" in fields:
        raise ValidationError(
            {"credit_code": _("The unified social credit code cannot be changed after "
                              "registration.")}
        )
    unknown = set(fields) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_company() got unexpected fields: {sorted(unknown)}")
    company = Company.objects.select_for_update().get(pk=company.pk)
    if not can_manage_company(by, company):
        raise NotAllowed(_("Only the company's representative or the service staff may "
                           "change the company's details."))
    for field, value in fields.items():
        setattr(company, field, value)
    company.full_clean()
    company.save()
    return company


# Invitations ---------------------------------------------------------------------------


def _invitation_address(contact, channel):
    if channel == VerificationChannel.SMS:
        return sms_number(contact.phone) or ""
    return contact.email.lower()


def make_invitation_token(contact, channel=VerificationChannel.EMAIL) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign_object(
        {"contact": contact.pk, "channel": channel, "to": _invitation_address(contact, channel)}
    )


def invitation_path(contact, channel=VerificationChannel.EMAIL) -> str:
    return reverse("companies:accept_invitation", args=[make_invitation_token(contact, channel)])


def _check_channel(contact, channel):
    if channel not in VerificationChannel.values:
        raise ValidationError({"channel": _("Choose how to send the invitation.")})
    if not _invitation_address(contact, channel):
        if channel == VerificationChannel.SMS:
            raise ValidationError(
                {"phone": _("An invitation by SMS needs a mainland mobile number.")}
            )
        raise ValidationError({"email": _("An invitation by e-mail needs an e-mail address.")})


def _send_invitation(contact, by, channel, site_url):
    link = f"{site_url.rstrip('/')}{invitation_path(contact, channel)}"
    values = {"name": contact.name, "inviter": by.display_name, "company": contact.company,
              "days": INVITATION_MAX_AGE.days, "link": link}
    subject = _("Invitation to act for %(company)s on Bangban") % values
    if channel == VerificationChannel.SMS:
        body = _("%(inviter)s invites you to act for %(company)s on Bangban. Open within "
                 "%(days)d days: %(link)s") % values
    else:
        body = _(
            "%(name)s,\n\n%(inviter)s has added you as a contact of %(company)s on the "
            "construction-project assistance and agency service platform.\n\n"
            "Open this link within %(days)d days to choose your user name and password:\n"
            "%(link)s\n\nIf you did not expect this message, you can ignore it."
        ) % values
    _queue_message(channel=channel, address=_invitation_address(contact, channel),
                   event="contact_invited", subject=subject, body=body)


@transaction.atomic
def invite_contact(
    *, company, by, name, phone, email="", is_representative=False, is_administrator=False,
    position="", channel=VerificationChannel.EMAIL, site_url="",
) -> CompanyContact:
    """Adds a contact to the company and sends them a one-time link (by e-mail or SMS) to
    create their account.

    `site_url` ("https://host") makes the link absolute; views pass the request's.
    """
    company = Company.objects.select_for_update().get(pk=company.pk)
    if not can_manage_company(by, company):
        raise NotAllowed(_("Only the company's administrators or the service staff may "
                           "invite contacts."))
    if email and company.contacts.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("This company already has a contact with this e-mail address.")}
        )
    contact = CompanyContact(
        company=company, name=name, phone=phone, email=email, position=position,
        is_representative=is_representative, is_administrator=is_administrator,
    )
    _check_channel(contact, channel)
    contact.full_clean()
    contact.save()
    _send_invitation(contact, by, channel, site_url)
    return contact


@transaction.atomic
def resend_invitation(*, contact, by, channel=None, site_url="") -> CompanyContact:
    """Sends a fresh link to a contact who has not created an account yet (by e-mail when
    the contact has an address, else by SMS, unless `channel` says)."""
    contact = CompanyContact.objects.select_for_update().select_related("company").get(
        pk=contact.pk
    )
    if not can_manage_company(by, contact.company):
        raise NotAllowed(_("Only the company's administrators or the service staff may "
                           "invite contacts."))
    if contact.user_id is not None:
        raise InvalidInvitation(_("This contact already has a user account."), reason="used")
    channel = channel or (VerificationChannel.EMAIL if contact.email
                          else VerificationChannel.SMS)
    _check_channel(contact, channel)
    _send_invitation(contact, by, channel, site_url)
    return contact


def read_invitation(token) -> CompanyContact:
    """The contact an invitation token names, or InvalidInvitation saying what is wrong."""
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInvitation(
            _("This invitation has expired. Please ask the company's contact or your "
              "specialist to send a new one."), reason="expired",
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInvitation() from None
    if not isinstance(payload, dict):
        raise InvalidInvitation()
    contact = (
        CompanyContact.objects.select_related("company")
        .filter(pk=payload.get("contact")).first()
    )
    channel = payload.get("channel")
    if (contact is None or channel not in VerificationChannel.values or not payload.get("to")
            or _invitation_address(contact, channel) != payload.get("to")):
        raise InvalidInvitation(
            _("This invitation is no longer valid. Please ask for a new one."), reason="stale"
        )
    if contact.user_id is not None:
        raise InvalidInvitation(
            _("This invitation has already been used. Please log in with the user name "
              "chosen then."), reason="used",
        )
    return contact


@transaction.atomic
def accept_invitation(*, token, username, password) -> CompanyContact:
    """The invitee chooses a user name and password; the link is used up."""
    contact = read_invitation(token)
    contact = CompanyContact.objects.select_for_update().select_related("company").get(
        pk=contact.pk
    )
    if contact.user_id is not None:  # accepted in another tab a moment ago
        raise InvalidInvitation(_("This invitation has already been used."), reason="used")
    errors = {}
    user = _unsaved_user(username=username, full_name=contact.name, phone=contact.phone,
                         email=contact.email, errors=errors)
    _checked_password(password, user, errors)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    return contact
