"""Every change to a consultation: logging it, answering it, and turning it into an
application. One transaction each; the consultation row is locked for the changes, so a second
click finds it answered (or converted) and gets a clear "already done".

Turning a consultation into an application (`convert_to_application`). An application is the
company's own act: `cases.services.create_application` only accepts a contact of the project's
company as its author, a draft is visible to the company alone, and only the company submits
it. So the staff member prepares the draft *for* a company contact who has an account: the
draft is created in that contact's name through `create_application`, the case's ledger
records who prepared it from which consultation, and the contact is notified to check and
submit it. Nothing reaches the intake queue until the company submits. An asker without an
account cannot own a draft; for them the consultation page shows the same data
(`selectors.application_prefill`) as a prefilled application form (Hunan 附件2) to hand over
at registration or invitation, after which the consultation is linked to the new contact and
converted.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.cases import services as case_services
from bangban.consultations import selectors
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import (
    CONSULTATION_ACTIONS,
    FIRST_RESPONDER,
    Channel,
    ConsultationState,
)
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.validation import required_text
from bangban.notifications.services import notify
from bangban.projects.services import is_staff_of_agency

# The role the case's ledger names for the staff member who prepared a draft.
LEDGER_ROLE_PRECEDENCE = [Role.CHIEF_SPECIALIST, Role.SPECIALIST]


def _lock(consultation):
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("agency", "company", "company_contact__user", "project")
        .get(pk=consultation.pk)
    )


def _begin(consultation, by, name):
    action = CONSULTATION_ACTIONS[name]
    consultation = _lock(consultation)
    roles = selectors.consultation_roles(by, consultation)
    if not action.roles & roles:
        raise NotAllowed(_("Only the first responder or a chief specialist of the agency may "
                           "“%(action)s” this consultation.") % {"action": action.label})
    if consultation.state not in action.sources:
        if consultation.state == action.target:
            raise InvalidTransition(_("Already done: the consultation is already “%(state)s”.")
                                    % {"state": consultation.get_state_display()})
        raise InvalidTransition(_("“%(action)s” is not possible while the consultation is "
                                  "“%(state)s”.")
                                % {"action": action.label,
                                   "state": consultation.get_state_display()})
    return consultation, roles


def _notify_asker(consultation, *, event, subject, body=""):
    contact = consultation.company_contact
    if contact is not None and contact.user_id:
        notify(recipients=[contact.user], event=event, subject=subject, body=body,
               case=consultation.case)


@transaction.atomic
def record_consultation(*, by, agency, channel, asker_name, question, asker_company_name="",
                        asker_phone="", company=None, company_contact=None, project=None,
                        project_hint="", service_recommended=False, answer="",
                        asked_at=None) -> Consultation:
    """Logs an inquiry; `by` takes it and becomes its first responder (首问责任制). Given an
    `answer` (the usual case at the window or on the phone) it is answered at once. An asker
    whose phone is that of one of the company's contacts is linked to the contact (who is
    then told of the answer)."""
    if not selectors.can_keep_for(by, agency):
        raise NotAllowed(_("Only the specialists of the agency may log its consultations."))
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose the channel the question came by.")})
    if company is None and company_contact is not None:
        company = company_contact.company
    if company is None and project is not None:
        company = project.company
    asker_phone = selectors.normalize_phone(asker_phone)
    if company_contact is None:
        company_contact = selectors.contact_by_phone(company, asker_phone)
    previous = selectors.previous_inquiry_condition(
        company=company, asker_company_name=asker_company_name, asker_phone=asker_phone)
    now = timezone.now()
    consultation = Consultation(
        agency=agency, channel=channel, asked_at=asked_at or now,
        asker_name=(asker_name or "").strip(),
        asker_company_name=(asker_company_name or "").strip(), asker_phone=asker_phone,
        company=company, company_contact=company_contact, project=project,
        project_hint=(project_hint or "").strip(), question=(question or "").strip(),
        first_responder=by, service_recommended=service_recommended,
        is_first_inquiry=previous is None or not Consultation.objects.filter(previous).exists(),
    )
    answer = (answer or "").strip()
    if answer:
        consultation.answer, consultation.answered_by, consultation.answered_at = answer, by, now
        consultation.state = ConsultationState.ANSWERED
    consultation.full_clean()
    consultation.save()
    return consultation


@transaction.atomic
def answer_consultation(*, consultation, by, answer) -> Consultation:
    consultation, _roles = _begin(consultation, by, "answer")
    consultation.answer = required_text(answer, "answer", _("Write down the answer given."))
    consultation.answered_by = by
    consultation.answered_at = timezone.now()
    consultation.state = ConsultationState.ANSWERED
    consultation.full_clean()
    consultation.save()
    _notify_asker(consultation, event="consultation_answered",
                  subject=_("Your question has been answered"), body=consultation.answer)
    return consultation


@transaction.atomic
def convert_to_application(*, consultation, by, project, company_contact, mode, scope,
                           project_summary, requested_items_note="", requested_stages=(),
                           requested_matters=()) -> Consultation:
    """Prepares a draft application for `company_contact` (who must have an account) from an
    answered consultation; see the module's docstring. Returns the consultation, whose `case`
    is the draft."""
    consultation, roles = _begin(consultation, by, "convert")
    if consultation.company_id and project.company_id != consultation.company_id:
        raise ValidationError({"project": _("Choose a project of the asker's company.")})
    if not is_staff_of_agency(by, project.agency):
        raise ValidationError({"project": _("Choose a project filed with your agency.")})
    if company_contact.company_id != project.company_id:
        raise ValidationError({"company_contact": _("Choose a contact of the project's "
                                                    "company.")})
    if company_contact.user_id is None or not company_contact.user.is_active:
        raise ValidationError({"company_contact": _(
            "This contact has no account yet. Invite them to the portal, or hand over the "
            "prefilled application form.")})
    case = case_services.create_application(
        by=company_contact.user, project=project, company_contact=company_contact, mode=mode,
        scope=scope, project_summary=project_summary,
        requested_items_note=requested_items_note, requested_stages=requested_stages,
        requested_matters=requested_matters,
    )
    role = next((r for r in LEDGER_ROLE_PRECEDENCE if r in roles), FIRST_RESPONDER)
    case_services.record_ledger(
        case=case, by=by, role=role, action="consultation_converted",
        from_state=case.state, to_state=case.state, reason=consultation.question[:500],
        consultation=consultation.pk, channel=consultation.channel,
    )
    consultation.company = project.company
    consultation.company_contact = company_contact
    consultation.project = project
    consultation.case = case
    consultation.converted_by = by
    consultation.converted_at = timezone.now()
    consultation.state = ConsultationState.CONVERTED
    consultation.full_clean()
    consultation.save()
    notify(recipients=[company_contact.user], case=case, event="consultation_converted",
           subject=_("A draft application has been prepared for %(project)s")
           % {"project": project.name},
           body=_("%(name)s prepared it from your consultation. Check it, complete it and "
                  "submit it; nothing is decided until you do.")
           % {"name": by.display_name})
    return consultation
