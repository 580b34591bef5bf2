"""Every change to a meeting: `convene_meeting`, which creates one, one function per action
of `workflow.py`, and `complete_action` for a decision's owner.

Each runs in one transaction: it locks the meeting row (`select_for_update`), checks the
actor's role and the meeting's state against the workflow table, validates, saves, writes the
meeting's own record (`MeetingEntry`), a ledger entry when the meeting is on a case, and the
notifications. A second click finds the new state and gets a clear "already done".
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Membership, Role
from bangban.accounts.permissions import agency_paths_for, roles_of_user
from bangban.accounts.recipients import company_users
from bangban.cases.services import record_ledger
from bangban.companies.models import CompanyContact
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.validation import required_text
from bangban.deadlines.workdays import add_working_days
from bangban.meetings.models import Meeting, MeetingAction, MeetingAttendee, MeetingEntry
from bangban.meetings.selectors import meeting_roles
from bangban.meetings.workflow import (
    AGENDA_PROBLEM_STATES,
    COMPLETE_ACTION,
    MEETING_ACTIONS,
    OWNER,
    AttendeeKind,
    MeetingKind,
    MeetingState,
    Reply,
)
from bangban.notifications.services import Message, notify, notify_each
from bangban.problems.models import Problem
from bangban.problems.services import record_on_agenda

# The role a ledger entry names for someone acting on a meeting, the most specific first.
ROLE_PRECEDENCE = [Role.CHIEF_SPECIALIST, Role.SPECIALIST, Role.DEPARTMENT_REPRESENTATIVE,
                   Role.EXPERT, Role.SUPERVISOR, Role.APPLICANT]
MAX_DECISION_DAYS = 120


# ---------------------------------------------------------------------------- helpers


def _lock(meeting):
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("agency", "case__agency", "case__specialist", "case__project__company",
                        "project__company", "convened_by")
        .get(pk=meeting.pk)
    )


def _begin(meeting, by, name):
    """Locks the meeting and checks that `by` may take action `name` on it now."""
    action = MEETING_ACTIONS[name]
    meeting = _lock(meeting)
    if not action.roles & meeting_roles(by, meeting):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” here.") % {"action": action.label}
        )
    if meeting.state not in action.sources:
        if action.target is not None and meeting.state == action.target:
            raise InvalidTransition(_("Already done: the meeting is already “%(state)s”.")
                                    % {"state": meeting.get_state_display()})
        raise InvalidTransition(
            _("“%(action)s” is not possible while the meeting is “%(state)s”.")
            % {"action": action.label, "state": meeting.get_state_display()}
        )
    return action, meeting


def _acting_role(user, meeting=None):
    roles = set(roles_of_user(user))
    if meeting is not None:
        roles |= meeting_roles(user, meeting)
    return next((r for r in ROLE_PRECEDENCE if r in roles), "")


def _record(meeting, *, by, action, note="", from_state="", ledger=True, **details):
    """The meeting's own record, and the case's ledger when the meeting is on a case. The
    ledger's states are the case's, unchanged (a meeting never changes its case); the
    meeting's own states go in the details."""
    MeetingEntry.objects.create(meeting=meeting, action=action, actor=by, note=note,
                                details=details)
    if ledger and meeting.case_id:
        record_ledger(case=meeting.case, by=by, role=_acting_role(by, meeting),
                      action=f"meeting_{action}", reason=note,
                      from_state=meeting.case.state, to_state=meeting.case.state,
                      meeting=meeting.pk, title=meeting.title,
                      meeting_from_state=from_state, meeting_state=meeting.state, **details)


def _invited_users(meeting):
    return [a.user for a in meeting.attendees.select_related("user") if a.user_id]


def _company_users(meeting):
    """The accounts of the contacts of the company whose project the meeting is about."""
    return company_users(meeting.project.company_id) if meeting.project_id else []


def _subject(meeting, text):
    return f"{meeting.title}: {text}"


def _when(meeting):
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    where = " · ".join(part for part in (meeting.place, meeting.video_link) if part)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} · {where}"


def _case_of(meeting):
    return meeting.case if meeting.case_id else None


def _check_times(starts_at, ends_at, *, now=None):
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("Give the start and end time.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if starts_at <= (now or timezone.now()):
        raise ValidationError({"starts_at": _("The meeting must start in the future.")})


def _check_where(place, video_link):
    place, video_link = (place or "").strip(), (video_link or "").strip()
    if not (place or video_link):
        raise ValidationError({"place": _("Give the place or a video link.")})
    return place, video_link


def _members_with_role(users, role):
    """{user pk: membership} for the users holding `role` somewhere (one query)."""
    return {
        m.user_id: m
        for m in Membership.objects.filter(user__in=users, role=role, user__is_active=True)
        .select_related("department", "user").order_by("pk")
    }


# ---------------------------------------------------------------------------- convene


def _attendees(meeting, representatives, experts, external_experts, company_contacts):
    representatives, experts = list(representatives), list(experts)
    company_contacts = list(company_contacts)
    departments = _members_with_role(representatives, Role.DEPARTMENT_REPRESENTATIVE)
    if any(user.pk not in departments for user in representatives):
        raise ValidationError({"representatives": _(
            "Only department representatives can be invited as such.")})
    expert_memberships = _members_with_role(experts, Role.EXPERT)
    if any(user.pk not in expert_memberships for user in experts):
        raise ValidationError({"experts": _(
            "Only users with the expert role can be invited as experts; name others as "
            "external experts.")})
    company_id = meeting.project.company_id if meeting.project_id else None
    if any(contact.company_id != company_id for contact in company_contacts):
        raise ValidationError({"company_contacts": _(
            "Only contacts of the project's company can be invited.")})
    without_account = [contact.name for contact in company_contacts if not contact.user_id]
    if without_account:
        raise ValidationError({"company_contacts": _(
            "%(names)s cannot be invited through the platform: no user account.")
            % {"names": "、".join(without_account)}})
    rows, seen = [], set()

    def add(row):
        if row.user_id:
            if row.user_id in seen:
                raise ValidationError(_("%(name)s is invited twice.") % {"name": row.name})
            seen.add(row.user_id)
        rows.append(row)

    for user in representatives:
        membership = departments[user.pk]
        add(MeetingAttendee(meeting=meeting, kind=AttendeeKind.DEPARTMENT, user=user,
                            department=membership.department, name=user.display_name,
                            organisation=membership.department.name, email=user.email))
    for user in experts:
        add(MeetingAttendee(meeting=meeting, kind=AttendeeKind.EXPERT, user=user,
                            name=user.display_name,
                            organisation=expert_memberships[user.pk].title, email=user.email))
    for name, organisation, email in external_experts:
        add(MeetingAttendee(meeting=meeting, kind=AttendeeKind.EXTERNAL_EXPERT, name=name,
                            organisation=organisation, email=email))
    for contact in company_contacts:
        add(MeetingAttendee(meeting=meeting, kind=AttendeeKind.COMPANY, user=contact.user,
                            company_contact=contact, name=contact.name,
                            organisation=meeting.project.company.name, email=contact.email))
    if not rows:
        raise ValidationError(_("Invite at least one attendee."))
    for row in rows:
        row.full_clean(exclude=["meeting"])
    return rows


def _agenda_problems(meeting, problems):
    """The problems the meeting is convened on, locked: each must be the meeting's case's
    (or, without a case, its project's and at or below the convening agency) and still being
    dealt with."""
    pks = sorted({problem.pk for problem in problems})
    if not pks:
        return []
    locked = list(Problem.objects.select_for_update(of=("self",))
                  .select_related("agency", "case", "item").filter(pk__in=pks).order_by("pk"))
    if len(locked) != len(pks):
        raise ValidationError({"problems": _("A problem on the agenda no longer exists.")})
    for problem in locked:
        if meeting.case_id and problem.case_id != meeting.case_id:
            message = _("Problem %(number)s belongs to another case.")
        elif meeting.project_id and problem.case.project_id != meeting.project_id:
            message = _("Problem %(number)s concerns another project.")
        elif not problem.agency.path.startswith(meeting.agency.path):
            message = _("Problem %(number)s is outside the convening agency's area.")
        elif problem.state not in AGENDA_PROBLEM_STATES:
            message = _("Problem %(number)s is “%(state)s”: only a problem still being dealt "
                        "with can go on a meeting's agenda.")
        else:
            continue
        raise ValidationError({"problems": message % {
            "number": problem.number, "state": problem.get_state_display()}})
    return locked


@transaction.atomic
def convene_meeting(*, by, title, kind, starts_at, ends_at, agenda, agency=None, case=None,
                    project=None, new_project_name="", place="", video_link="",
                    representatives=(), experts=(), external_experts=(), company_contacts=(),
                    problems=()):
    """A chief specialist convenes a meeting on a case, a project or a new project, at the
    case's (or project's) agency or one of their own, and invites the attendees.

    `external_experts` is a list of (name, organisation, e-mail) for experts without an
    account; `company_contacts` are contacts of the project's company; `problems` are the
    problems the meeting is to settle (joint meeting, leadership special meeting): each one's
    history records that it is on the agenda."""
    if case is not None:
        project, agency = case.project, case.agency
    elif project is not None:
        agency = project.agency
    if agency is None:
        raise ValidationError({"agency": _("Choose the convening agency.")})
    if not any(agency.path.startswith(path)
               for path in agency_paths_for(by, Role.CHIEF_SPECIALIST)):
        raise NotAllowed(_("Only a chief specialist of the agency can convene a meeting."))
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    _check_times(starts_at, ends_at)
    place, video_link = _check_where(place, video_link)
    meeting = Meeting(
        agency=agency, case=case, project=project,
        new_project_name="" if project else (new_project_name or "").strip(),
        title=required_text(title, "title", _("Give the meeting a title.")), kind=kind,
        starts_at=starts_at, ends_at=ends_at, place=place, video_link=video_link,
        agenda=required_text(agenda, "agenda", _("Write the agenda.")), convened_by=by,
    )
    meeting.full_clean()
    rows = _attendees(meeting, representatives, experts, external_experts, company_contacts)
    problems = _agenda_problems(meeting, problems)
    meeting.save()
    MeetingAttendee.objects.bulk_create(rows)
    meeting.problems.set(problems)
    _record(meeting, by=by, action="convene", note=meeting.agenda,
            starts_at=timezone.localtime(starts_at).isoformat(timespec="minutes"),
            problems=[problem.number for problem in problems])
    for problem in problems:
        record_on_agenda(problem, meeting=meeting, by=by, role=Role.CHIEF_SPECIALIST)
    notify(recipients=[row.user for row in rows], case=_case_of(meeting),
           event="meeting_invited",
           subject=_subject(meeting, _("you are invited, %(when)s") % {"when": _when(meeting)}),
           body=meeting.agenda, context={"meeting": meeting.title})
    return meeting


# ---------------------------------------------------------------------------- actions


@transaction.atomic
def reschedule_meeting(*, meeting, by, starts_at, ends_at, reason, place="", video_link=""):
    """Moves the meeting: its calendar revision goes up and every invitee replies again."""
    action, meeting = _begin(meeting, by, "reschedule")
    reason = required_text(reason, "reason", _("Say why the meeting is moved."))
    _check_times(starts_at, ends_at)
    place, video_link = _check_where(place, video_link)
    if (starts_at, ends_at, place, video_link) == (meeting.starts_at, meeting.ends_at,
                                                   meeting.place, meeting.video_link):
        raise ValidationError(_("Nothing changed: give a new time or place."))
    previous = _when(meeting)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.place, meeting.video_link = place, video_link
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    meeting.attendees.update(reply=Reply.PENDING, replied_at=None, reply_note="")
    _record(meeting, by=by, action=action.name, note=reason, from_state=meeting.state,
            previous=previous, now=_when(meeting))
    notify(recipients=_invited_users(meeting), case=_case_of(meeting),
           event="meeting_rescheduled",
           subject=_subject(meeting, _("moved to %(when)s") % {"when": _when(meeting)}),
           body=reason, context={"meeting": meeting.title})
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting, by, reason):
    action, meeting = _begin(meeting, by, "cancel")
    reason = required_text(reason, "reason", _("Say why the meeting is cancelled."))
    from_state = meeting.state
    meeting.state = action.target
    meeting.sequence += 1
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = by
    meeting.cancel_reason = reason
    meeting.full_clean()
    meeting.save()
    _record(meeting, by=by, action=action.name, note=reason, from_state=from_state)
    notify(recipients=_invited_users(meeting), case=_case_of(meeting),
           event="meeting_cancelled", subject=_subject(meeting, _("cancelled")), body=reason,
           context={"meeting": meeting.title})
    return meeting


@transaction.atomic
def reply_to_invitation(*, meeting, by, reply, note=""):
    """An invitee says whether they will attend (they may change their mind until then)."""
    action, meeting = _begin(meeting, by, "reply")
    if reply not in (Reply.ATTEND, Reply.DECLINE):
        raise ValidationError({"reply": _("Say whether you will attend.")})
    attendee = MeetingAttendee.objects.select_for_update().get(meeting=meeting, user=by)
    attendee.reply = reply
    attendee.reply_note = (note or "").strip()
    attendee.replied_at = timezone.now()
    attendee.full_clean()
    attendee.save()
    _record(meeting, by=by, action=action.name, note=attendee.reply_note, ledger=False,
            reply=reply)
    notify(recipients=[meeting.convened_by], case=_case_of(meeting), event="meeting_reply",
           subject=_subject(meeting, f"{attendee.name}: {attendee.get_reply_display()}"),
           body=attendee.reply_note, context={"meeting": meeting.title})
    return attendee


@transaction.atomic
def record_minutes(*, meeting, by, minutes):
    """The meeting took place: its minutes are drafted (and may be redrafted until they are
    published)."""
    action, meeting = _begin(meeting, by, "record_minutes")
    if meeting.starts_at > timezone.now():
        raise InvalidTransition(_("The meeting has not started yet."))
    meeting.minutes = required_text(minutes, "minutes", _("Write the minutes."))
    from_state = meeting.state
    meeting.state = action.target
    meeting.minutes_recorded_at = timezone.now()
    meeting.minutes_recorded_by = by
    meeting.full_clean()
    meeting.save()
    _record(meeting, by=by, action=action.name, from_state=from_state, ledger=False)
    return meeting


def _meeting_day(meeting):
    return timezone.localdate(meeting.starts_at)


def _possible_owners(meeting):
    users = {a.user_id for a in meeting.attendees.all() if a.user_id}
    users.add(meeting.convened_by_id)
    if meeting.case_id and meeting.case.specialist_id:
        users.add(meeting.case.specialist_id)
    return users


@transaction.atomic
def add_decision(*, meeting, by, text, owner, working_days):
    """A decision of the minutes, with its owner and a due date `working_days` after the
    meeting (on the agency's working calendar)."""
    action, meeting = _begin(meeting, by, "add_decision")
    text = required_text(text, "text", _("Write the decision."))
    if owner is None or owner.pk not in _possible_owners(meeting) or not owner.is_active:
        raise ValidationError({"owner": _(
            "The owner must be an invited person with an account, the convener or the case's "
            "specialist.")})
    if not isinstance(working_days, int) or not 1 <= working_days <= MAX_DECISION_DAYS:
        raise ValidationError({"working_days": _(
            "Give between 1 and %(max)s working days.") % {"max": MAX_DECISION_DAYS}})
    decision = MeetingAction(
        meeting=meeting, text=text, owner=owner, working_days=working_days,
        due_date=add_working_days(_meeting_day(meeting), working_days, agency=meeting.agency),
        created_by=by,
    )
    decision.full_clean()
    decision.save()
    _record(meeting, by=by, action=action.name, note=text, ledger=False,
            owner=owner.display_name, due_date=decision.due_date.isoformat())
    return decision


@transaction.atomic
def remove_decision(*, meeting, by, decision):
    """Drops a decision from minutes still in draft (published ones are locked)."""
    action, meeting = _begin(meeting, by, "remove_decision")
    deleted, _rows = MeetingAction.objects.filter(pk=decision.pk, meeting=meeting).delete()
    if not deleted:
        raise InvalidTransition(_("Already done: the decision is no longer in the minutes."))
    _record(meeting, by=by, action=action.name, note=decision.text, ledger=False)
    return meeting


def _problem_people(problems):
    """{user pk: (user, [problems])}: the company contacts and the specialist of each
    problem's case, with the problems that concern them (one query for the contacts)."""
    contacts = {}
    for contact in CompanyContact.objects.filter(
            company_id__in={p.case.project.company_id for p in problems},
            user__is_active=True).select_related("user").order_by("pk"):
        contacts.setdefault(contact.company_id, []).append(contact.user)
    people = {}
    for problem in problems:
        specialist = problem.case.specialist
        for user in [*contacts.get(problem.case.project.company_id, []), specialist]:
            if user is not None and user.is_active:
                people.setdefault(user.pk, (user, []))[1].append(problem)
    return people


def _minutes_messages(meeting, body, recipients):
    """The published minutes for everyone who receives them, one message each: those
    concerned by a problem on the agenda are told which (grouped by the problems concerning
    them), the others get the plain notice."""
    problems = list(meeting.problems.select_related(
        "case__project__company", "case__specialist", "case__agency").order_by("pk"))
    people = _problem_people(problems)
    groups = {}
    for user, concerning in people.values():
        key = tuple(problem.pk for problem in concerning)
        groups.setdefault(key, (concerning, []))[1].append(user)
    messages = [Message(
        recipients=[user for user in recipients if user is not None and user.pk not in people],
        event="meeting_minutes_published", subject=_subject(meeting, _("minutes published")),
        body=body, case=_case_of(meeting), context={"meeting": meeting.title})]
    for concerning, users in groups.values():
        numbers = "、".join(problem.number for problem in concerning)
        cases = {problem.case_id for problem in concerning}
        messages.append(Message(
            recipients=users, event="meeting_minutes_published",
            subject=_subject(meeting, _("minutes published; they concern problem %(numbers)s")
                             % {"numbers": numbers}),
            body=body,
            case=concerning[0].case if len(cases) == 1 else _case_of(meeting),
            context={"meeting": meeting.title, "problem_number": numbers}))
    return messages


@transaction.atomic
def publish_minutes(*, meeting, by):
    """Publishes the minutes to every invitee and the company; from now on they are locked
    and each decision is tracked until its owner has carried it out."""
    action, meeting = _begin(meeting, by, "publish")
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Record the minutes before publishing them.")})
    from_state = meeting.state
    meeting.state = action.target
    meeting.published_at = timezone.now()
    meeting.published_by = by
    meeting.full_clean()
    meeting.save()
    decisions = list(meeting.actions.select_related("owner"))
    _record(meeting, by=by, action=action.name, from_state=from_state,
            decisions=len(decisions))
    body = "\n".join([meeting.minutes, *(
        f"{n}. {d.text}（{d.owner.display_name}，{d.due_date:%Y-%m-%d}）"
        for n, d in enumerate(decisions, start=1))])
    notify_each(_minutes_messages(meeting, body, [
        *_invited_users(meeting), *_company_users(meeting),
        meeting.case.specialist if meeting.case_id else None]))
    for decision in decisions:
        notify(recipients=[decision.owner], case=_case_of(meeting),
               event="meeting_action_assigned",
               subject=_subject(meeting, _("a decision for you, due %(date)s")
                                % {"date": decision.due_date.isoformat()}),
               body=decision.text, context={"meeting": meeting.title})
    return meeting


@transaction.atomic
def correct_minutes(*, meeting, by, correction):
    """Published minutes stay as they were; a correction is recorded next to them and sent
    to everyone who received them."""
    action, meeting = _begin(meeting, by, "correct_minutes")
    correction = required_text(correction, "correction", _("Write the correction."))
    _record(meeting, by=by, action=action.name, note=correction, from_state=meeting.state)
    notify(recipients=[*_invited_users(meeting), *_company_users(meeting),
                       meeting.case.specialist if meeting.case_id else None],
           case=_case_of(meeting), event="meeting_minutes_corrected",
           subject=_subject(meeting, _("correction to the minutes")), body=correction,
           context={"meeting": meeting.title})
    return meeting


@transaction.atomic
def complete_action(*, action, by, note):
    """The owner reports the decision carried out, saying what was done."""
    decision = (MeetingAction.objects.select_for_update(of=("self",))
                .select_related("meeting__agency", "meeting__case__specialist",
                                "meeting__project", "meeting__convened_by")
                .get(pk=action.pk))
    meeting = decision.meeting
    roles = {OWNER} if decision.owner_id == by.pk else set()
    if not COMPLETE_ACTION.roles & roles:
        raise NotAllowed(_("Only the person responsible can mark the decision done."))
    if decision.state not in COMPLETE_ACTION.sources:
        raise InvalidTransition(_("Already done: the decision is already marked done."))
    if meeting.state != MeetingState.PUBLISHED:
        raise InvalidTransition(_("The minutes are not published yet."))
    decision.done_note = required_text(note, "note", _("Say what was done."))
    decision.state = COMPLETE_ACTION.target
    decision.done_at = timezone.now()
    decision.full_clean()
    decision.save()
    _record(meeting, by=by, action=COMPLETE_ACTION.name, note=decision.done_note,
            from_state=meeting.state, decision=decision.text[:200],
            due_date=decision.due_date.isoformat(),
            late=timezone.localdate(decision.done_at) > decision.due_date)
    notify(recipients=[meeting.convened_by], case=_case_of(meeting),
           event="meeting_action_done",
           subject=_subject(meeting, _("%(owner)s carried out a decision")
                            % {"owner": by.display_name}),
           body=f"{decision.text}\n{decision.done_note}", context={"meeting": meeting.title})
    return decision


MEETING_ACTION_SERVICES = {
    "reschedule": reschedule_meeting,
    "cancel": cancel_meeting,
    "reply": reply_to_invitation,
    "record_minutes": record_minutes,
    "add_decision": add_decision,
    "remove_decision": remove_decision,
    "publish": publish_minutes,
    "correct_minutes": correct_minutes,
}

assert set(MEETING_ACTION_SERVICES) == set(MEETING_ACTIONS)
