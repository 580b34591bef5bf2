"""Writes behind the public pages: contact cards and progress query codes.

`issue_query_code` runs in one transaction that locks the case and its project, checks the
actor's role and the case's state against `workflow.py`, replaces the project's code, appends
a ledger entry to the case and tells the company where to read the new code.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.permissions import case_roles, memberships_of
from bangban.cases.models import Case
from bangban.cases.services import record_ledger
from bangban.companies.models import CompanyContact
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.documents.services import detect_content_type
from bangban.notifications.services import notify
from bangban.projects.models import Project
from bangban.public.models import ContactCard, ProgressQueryCode
from bangban.public.selectors import administers
from bangban.public.workflow import CARD_ROLES, QUERY_CODE_CASE_STATES, QUERY_CODE_ISSUERS

# No 0/O, 1/I/L: the code is read out over the phone and typed from paper.
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 8
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PHOTO_MAX_BYTES = 2 * 1024 * 1024


def new_query_code():
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def issue_query_code(*, case, by):
    """Gives the case's project a new progress query code (the old one stops working);
    returns the ProgressQueryCode."""
    with transaction.atomic():
        case = (Case.objects.select_for_update(of=("self",))
                .select_related("agency", "project").get(pk=case.pk))
        roles = case_roles(by, case)
        role = next((r for r in QUERY_CODE_ISSUERS if r in roles), None)
        if role is None:
            raise NotAllowed(_("Only the case's specialist or a chief specialist can issue a "
                               "progress query code."))
        if case.state not in QUERY_CODE_CASE_STATES:
            raise InvalidTransition(
                _("A progress query code cannot be issued while the case is “%(state)s”.")
                % {"state": case.get_state_display()})
        project = Project.objects.select_for_update().get(pk=case.project_id)
        if not project.code:
            raise ValidationError(_("The project has no project code yet; the public progress "
                                    "query needs it."))
        record, created = ProgressQueryCode.objects.update_or_create(
            project=project,
            defaults={"code": new_query_code(), "issued_by": by, "issued_at": timezone.now()},
        )
        record_ledger(case=case, by=by, role=role, action="query_code_issued",
                      from_state=case.state, to_state=case.state, reissued=not created)
        # The code itself stays out of the message: e-mail and SMS copies would keep it.
        notify(
            recipients=[c.user for c in CompanyContact.objects.filter(
                company_id=project.company_id, user__is_active=True).select_related("user")],
            case=case, event="query_code_issued",
            subject=_("A progress query code was issued for %(project)s")
            % {"project": project.name},
            body=_("Read it on your case's page and pass it on to whoever should follow the "
                   "project's progress."),
        )
        return record


def clean_photo(photo):
    """Raises ValidationError unless `photo` is a small JPEG, PNG or WebP image (by content)."""
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is %(size)s; it may be at most %(limit)s.")
                              % {"size": filesizeformat(photo.size),
                                 "limit": filesizeformat(PHOTO_MAX_BYTES)})
    if detect_content_type(photo) not in PHOTO_TYPES:
        raise ValidationError(_("The photo must be a JPEG, PNG or WebP image."))


def save_contact_card(*, user, by, name, phone, staff_number="", title="", email="",
                      services="", is_published=False, photo=None, remove_photo=False):
    """Creates or updates `user`'s contact card; `by` is the user or an administrator.
    Returns the card."""
    if by.pk != user.pk and not administers(by, user):
        raise NotAllowed(_("You can only edit your own contact card."))
    if not any(m.role in CARD_ROLES for m in memberships_of(user)):
        raise NotAllowed(_("Only staff of a service centre or a department have a contact "
                           "card."))
    if photo is not None:
        try:
            clean_photo(photo)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
    with transaction.atomic():
        card = ContactCard.objects.select_for_update().filter(user=user).first()
        card = card or ContactCard(user=user)
        old_photo = card.photo.name if card.photo else ""
        card.name, card.phone = (name or "").strip(), (phone or "").strip()
        card.staff_number, card.title = staff_number.strip(), title.strip()
        card.email, card.services = email.strip(), services.strip()
        card.is_published = is_published
        if photo is not None:
            card.photo = photo
        elif remove_photo:
            card.photo = ""
        card.full_clean()
        card.save()
        if old_photo and old_photo != card.photo.name:
            storage = card.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
        return card
