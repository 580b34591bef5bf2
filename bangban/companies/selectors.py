"""Reads for companies, scoped to who is asking."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import company_ids_of, memberships_of
from bangban.audit.masking import mask_phone
from bangban.companies.models import Company, CompanyContact
from bangban.companies.services import COMPANY_STAFF_ROLES

# Staff who see every company: those who look after companies, and supervisors (read-only).
COMPANY_READER_ROLES = COMPANY_STAFF_ROLES | {Role.SUPERVISOR}


def sees_all_companies(user):
    return any(m.role in COMPANY_READER_ROLES for m in memberships_of(user))


def companies_visible_to(user):
    companies = Company.objects.all()
    if not user.is_authenticated:
        return companies.none()
    if sees_all_companies(user):
        return companies
    return companies.filter(pk__in=company_ids_of(user))


def companies_of_user(user):
    """The companies the user acts for as a contact."""
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(pk__in=company_ids_of(user))


def get_company_for(user, pk):
    """The company with its contacts (and their accounts) fetched; 404 when not visible."""
    company = (
        companies_visible_to(user)
        .prefetch_related(
            Prefetch("contacts", queryset=CompanyContact.objects.select_related("user"))
        )
        .filter(pk=pk)
        .first()
    )
    if company is None:
        raise Http404(_("No such company."))
    return company


def may_see_full_phones(user, company):
    """Service staff and the company's administrators need the numbers; colleagues and
    supervisors (who only read) do not."""
    if any(m.role in COMPANY_STAFF_ROLES for m in memberships_of(user)):
        return True
    return any(
        contact.user_id == user.pk and (contact.is_representative or contact.is_administrator)
        for contact in company.contacts.all()
    )


def contacts_for_display(user, company):
    """The company's contacts, each with `shown_phone` (masked unless the user needs it)."""
    full = may_see_full_phones(user, company)
    contacts = list(company.contacts.all())
    for contact in contacts:
        own = contact.user_id == user.pk
        contact.shown_phone = contact.phone if full or own else mask_phone(contact.phone)
        contact.has_account = contact.user_id is not None
    return contacts
