"""Writes for companies and their contacts: self-registration, invitations, company edits.

An invitation is a signed, timestamped token naming the contact and the e-mail address it was
sent to; no row stores it. It is used up once the contact has a user account, it expires after
`INVITATION_MAX_AGE`, and re-addressing the contact invalidates links sent to the old address.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangban.accounts.models import Role
from bangban.accounts.permissions import memberships_of
from bangban.companies.credit_code import normalize_credit_code
from bangban.companies.models import Company, CompanyContact
from bangban.core.errors import DomainError, NotAllowed

INVITATION_MAX_AGE = timedelta(days=7)
INVITATION_SALT = "bangban.companies.invitation"

# Staff who may look after companies' contacts and data (a supervisor only reads).
COMPANY_STAFF_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.ADMINISTRATOR})

COMPANY_EDITABLE_FIELDS = ("name", "legal_representative", "address", "phone")


class InvalidInvitation(DomainError):
    """`reason` says why, for pages and tests: forged, expired, stale (re-addressed) or used."""

    default_message = gettext_lazy("This invitation link is not valid.")

    def __init__(self, message=None, *, reason="forged"):
        self.reason = reason
        super().__init__(message)


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


def is_representative_of(user, company):
    return user.is_authenticated and CompanyContact.objects.filter(
        company=company, user=user, is_representative=True
    ).exists()


def can_manage_company(user, company):
    """Staff and the company's representative may edit the company and invite contacts."""
    return is_company_staff(user) or is_representative_of(user, company)


def _new_user(*, username, password, full_name="", phone="", email=""):
    user = get_user_model()(
        username=username, full_name=full_name, phone=phone, email=email, is_active=True
    )
    errors = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def register_company(
    *, username, password, full_name, phone, email, company_name, credit_code,
    legal_representative="", address="", company_phone="", position="",
) -> CompanyContact:
    """A company registers itself: its user, the company and the user as its representative."""
    credit_code = normalize_credit_code(credit_code)
    if Company.objects.filter(credit_code=credit_code).exists():
        raise ValidationError({"credit_code": duplicate_company_message()})
    company = Company(
        name=company_name, credit_code=credit_code,
        legal_representative=legal_representative, address=address, phone=company_phone,
    )
    errors = {}
    try:
        company.full_clean()
    except ValidationError as error:
        errors.update(_rename(error, {"name": "company_name", "phone": "company_phone"})
                      .message_dict)
    try:
        user = _new_user(
            username=username, password=password, full_name=full_name, phone=phone, email=email
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationError({"credit_code": duplicate_company_message()}) from None
    contact = CompanyContact(
        company=company, user=user, name=full_name, phone=phone, email=email,
        position=position, is_representative=True,
    )
    contact.full_clean()
    contact.save()
    return contact


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


def make_invitation_token(contact) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign_object(
        {"contact": contact.pk, "email": contact.email.lower()}
    )


def invitation_path(contact) -> str:
    return reverse("companies:accept_invitation", args=[make_invitation_token(contact)])


def _send_invitation_mail(contact, by, site_url):
    link = f"{site_url.rstrip('/')}{invitation_path(contact)}"
    days = INVITATION_MAX_AGE.days
    subject = _("Invitation to act for %(company)s on Bangban") % {"company": contact.company}
    body = _(
        "%(name)s,\n\n%(inviter)s has added you as a contact of %(company)s on the "
        "construction-project assistance and agency service platform.\n\n"
        "Open this link within %(days)d days to choose your user name and password:\n"
        "%(link)s\n\nIf you did not expect this message, you can ignore it."
    ) % {"name": contact.name, "inviter": by.display_name, "company": contact.company,
         "days": days, "link": link}
    recipient = contact.email
    # A failed send is logged, not raised: the contact exists and the link can be sent again.
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]), robust=True)


@transaction.atomic
def invite_contact(
    *, company, by, name, phone, email, is_representative=False, position="", site_url="",
) -> CompanyContact:
    """Adds a contact to the company and e-mails them a one-time link to create their account.

    `site_url` ("https://host") makes the e-mailed link absolute; views pass the request's.
    """
    company = Company.objects.select_for_update().get(pk=company.pk)
    if not can_manage_company(by, company):
        raise NotAllowed(_("Only the company's representative or the service staff may "
                           "invite contacts."))
    if not email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    if company.contacts.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("This company already has a contact with this e-mail address.")}
        )
    contact = CompanyContact(
        company=company, name=name, phone=phone, email=email, position=position,
        is_representative=is_representative,
    )
    contact.full_clean()
    contact.save()
    _send_invitation_mail(contact, by, site_url)
    return contact


@transaction.atomic
def resend_invitation(*, contact, by, site_url="") -> CompanyContact:
    """Sends a fresh link to a contact who has not created an account yet."""
    contact = CompanyContact.objects.select_for_update().select_related("company").get(
        pk=contact.pk
    )
    if not can_manage_company(by, contact.company):
        raise NotAllowed(_("Only the company's representative or the service staff may "
                           "invite contacts."))
    if contact.user_id is not None:
        raise InvalidInvitation(_("This contact already has a user account."), reason="used")
    if not contact.email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    _send_invitation_mail(contact, by, site_url)
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
    if contact is None or contact.email.lower() != payload.get("email"):
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
    user = _new_user(
        username=username, password=password, full_name=contact.name, phone=contact.phone,
        email=contact.email,
    )
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    return contact
