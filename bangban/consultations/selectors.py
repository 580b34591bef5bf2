"""Reads for consultations, scoped to the staff of the consultation's agency and the agencies
above it.

Who sees a consultation: its first responder, and specialists, chief specialists, supervisors
and administrators of its agency or an agency above it. The asker's phone is shown whole only
to those who follow the consultation up (its first responder, who answered it, and the
agency's chief specialists); everyone else sees it masked.
"""

import re

from django.db.models import Q
from django.http import Http404

from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import memberships_of
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import FIRST_RESPONDER, ConsultationState

CONSULTATION_READER_ROLES = frozenset(
    {Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.ADMINISTRATOR}
)
# Staff who log and answer consultations for an agency.
CONSULTATION_KEEPER_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST})
LIST_RELATED = ("agency", "company", "first_responder", "answered_by", "case")


def normalize_phone(phone):
    """Digits (and a leading +) only, so 0543-123 4567 and 05431234567 are one number."""
    phone = (phone or "").strip()
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


def _paths(user, roles):
    return sorted({m.agency.path for m in memberships_of(user) if m.role in roles})


def _under(paths):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(agency__path__startswith=path)
    return condition


def keeper_agencies(user):
    """The agencies whose consultations `user` may log: where they are (chief) specialist."""
    return Agency.objects.filter(
        pk__in={m.agency_id for m in memberships_of(user) if m.role in CONSULTATION_KEEPER_ROLES}
    ).order_by("path")


def is_consultation_reader(user):
    return bool(_paths(user, CONSULTATION_READER_ROLES))


def can_keep_for(user, agency):
    return any(agency.path.startswith(path) for path in _paths(user, CONSULTATION_KEEPER_ROLES))


def consultation_roles(user, consultation):
    """The roles `user` holds towards `consultation` (see workflow.CONSULTATION_ACTIONS)."""
    if not user.is_authenticated:
        return frozenset()
    roles = set()
    if consultation.first_responder_id == user.pk:
        roles.add(FIRST_RESPONDER)
    for membership in memberships_of(user):
        if membership.role in CONSULTATION_READER_ROLES and consultation.agency.path.startswith(
                membership.agency.path):
            roles.add(Role(membership.role))
    return frozenset(roles)


def shows_phone(user, consultation, roles=None):
    """Whether `user` sees the asker's phone unmasked."""
    roles = consultation_roles(user, consultation) if roles is None else roles
    return bool(roles & {FIRST_RESPONDER, Role.CHIEF_SPECIALIST}) or (
        consultation.answered_by_id == user.pk
    )


def chief_paths(user):
    return _paths(user, {Role.CHIEF_SPECIALIST})


def consultations_visible_to(user):
    if not user.is_authenticated:
        return Consultation.objects.none()
    condition = Q(first_responder=user) | _under(_paths(user, CONSULTATION_READER_ROLES))
    return Consultation.objects.filter(condition).select_related(*LIST_RELATED)


def filter_consultations(consultations, *, channel="", answered=""):
    if channel:
        consultations = consultations.filter(channel=channel)
    if answered == "yes":
        consultations = consultations.exclude(state=ConsultationState.OPEN)
    elif answered == "no":
        consultations = consultations.filter(state=ConsultationState.OPEN)
    return consultations.order_by("-asked_at", "-pk")


def get_consultation_for(user, pk):
    consultation = (
        consultations_visible_to(user)
        .select_related("company_contact__user", "project__agency", "converted_by")
        .filter(pk=pk).first()
    )
    if consultation is None:
        raise Http404
    return consultation


def previous_inquiry_condition(*, company=None, asker_company_name="", asker_phone=""):
    """Matches the consultations of the same asker: the same company, the same company name
    as told, or the same phone number. None when nothing identifies the asker."""
    condition = Q(pk__in=[])
    identified = False
    if company is not None:
        condition |= Q(company=company)
        identified = True
    name = (asker_company_name or "").strip()
    if name:
        condition |= Q(asker_company_name=name) | Q(company__name=name)
        identified = True
    phone = normalize_phone(asker_phone)
    if phone:
        condition |= Q(asker_phone=phone)
        identified = True
    return condition if identified else None


def previous_inquiries(*, company=None, asker_company_name="", asker_phone="", limit=5):
    """(count, the latest `limit`) of the asker's earlier consultations anywhere on the
    platform: whether they asked before decides whether this is a first inquiry, which is the
    whole service centre's business, not one agency's. Only dates, channels and agencies are
    shown from it."""
    condition = previous_inquiry_condition(company=company,
                                           asker_company_name=asker_company_name,
                                           asker_phone=asker_phone)
    if condition is None:
        return None, []
    rows = Consultation.objects.filter(condition)
    latest = list(rows.select_related("agency", "first_responder")
                  .order_by("-asked_at", "-pk")[:limit])
    count = len(latest) if len(latest) < limit else rows.count()
    return count, latest


def contact_by_phone(company, phone):
    """The company's contact with this phone number, if any: the asker, already known."""
    phone = normalize_phone(phone)
    if company is None or not phone:
        return None
    return next((contact for contact in company.contacts.select_related("user")
                 if normalize_phone(contact.phone) == phone), None)


def application_prefill(consultation):
    """What the application form can be filled in with from a consultation (Hunan 附件2's
    fields): the project, the contact, the project summary and the requested items."""
    project = consultation.project
    summary = (project.description if project and project.description
               else consultation.project_hint)
    return {
        "project": project.pk if project else None,
        "project_name": project.name if project else consultation.project_hint,
        "company_name": consultation.asker_company_label,
        "company_contact": (consultation.company_contact_id
                            if consultation.company_contact_id
                            and consultation.company_contact.user_id else None),
        "contact_name": (consultation.company_contact.name if consultation.company_contact_id
                         else consultation.asker_name),
        "contact_phone": (consultation.company_contact.phone if consultation.company_contact_id
                          else consultation.asker_phone),
        "project_summary": summary,
        "requested_items_note": consultation.question,
    }
