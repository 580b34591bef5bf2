"""Writes for visits and activities, and the quarterly statistics reminder. One transaction
each."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.cases.services import record_ledger
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.services import notify
from bangban.visits import selectors
from bangban.visits.models import Activity, ActivityKind, StatisticsReminder
from bangban.visits.quarters import reporting_window

# Who may tie a visit to a case, and the role the case's ledger names for them.
CASE_ROLES = [Role.SPECIALIST, Role.CHIEF_SPECIALIST]


@transaction.atomic
def record_activity(*, by, agency, kind, held_on, title, participants_count, summary,
                    companies=(), case=None, location="") -> Activity:
    """Records a visit or activity held by `agency`'s staff. Tied to a case (a return visit
    after it, say), it is also written to the case's ledger and its company is added."""
    if not selectors.can_record_for(by, agency):
        raise NotAllowed(_("Only the specialists of the agency may record its visits and "
                           "activities."))
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("Choose the kind of visit or activity.")
    if held_on is not None and held_on > timezone.localdate():
        errors["held_on"] = _("Record a visit or activity once it has taken place.")
    role = None
    if case is not None:
        roles = case_roles(by, case)
        role = next((r for r in CASE_ROLES if r in roles), None)
        if role is None:
            errors["case"] = _("Choose a case you handle or supervise as chief specialist.")
    if errors:
        raise ValidationError(errors)
    activity = Activity(
        agency=agency, kind=kind, held_on=held_on, title=(title or "").strip(),
        location=(location or "").strip(), participants_count=participants_count,
        summary=(summary or "").strip(), case=case, recorded_by=by,
    )
    activity.full_clean()
    activity.save()
    companies = {company.pk: company for company in companies}
    if case is not None:
        companies.setdefault(case.project.company_id, case.project.company)
    activity.companies.set(companies.values())
    if case is not None:
        record_ledger(case=case, by=by, role=role, action="visit_recorded",
                      from_state=case.state, to_state=case.state, reason=activity.summary,
                      activity=activity.pk, kind=kind, held_on=held_on.isoformat())
    return activity


@transaction.atomic
def send_statistics_reminder(*, agency, quarter) -> StatisticsReminder:
    """Reminds `agency`'s chief specialists to fill in the interaction statistics of the
    quarter before `quarter`, due by the last day of its reporting window. Once per agency
    and quarter: the reminder row is inserted first, and a second worker's insert fails on
    the unique constraint (InvalidTransition) before anything is sent."""
    reported = quarter.previous()
    _first, due_on = reporting_window(quarter, agency=agency)
    try:
        with transaction.atomic():
            reminder = StatisticsReminder.objects.create(
                agency=agency, year=reported.year, quarter=reported.number, due_on=due_on)
    except IntegrityError:
        raise InvalidTransition(_("Already done: the reminder for this quarter has been "
                                  "sent.")) from None
    url = reverse("visits:statistics") + (
        f"?agency={agency.pk}&year={reported.year}&quarter={reported.number}")
    notify(recipients=selectors.chief_specialists_of(agency),
           event="interaction_statistics_due",
           subject=_("Fill in the government–enterprise interaction statistics of "
                     "%(quarter)s by %(date)s") % {"quarter": reported,
                                                  "date": due_on.isoformat()},
           body=_("The statistics of %(agency)s for %(quarter)s are generated from the "
                  "recorded visits and activities: check them at %(url)s and report them "
                  "within the first 5 working days of the quarter.")
           % {"agency": agency.name, "quarter": reported, "url": url})
    return reminder
