"""Read queries for meetings, scoped to what the user may see.

Who sees a meeting: chief specialists and supervisors of the convening agency or an agency
above it, everyone invited to it, the specialist of its case, and the contacts of the
company whose project it is about (read-only, and their reply). Nobody else: a 404.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.accounts.permissions import agency_paths_for, company_ids_of
from bangban.meetings.models import Meeting, MeetingAction, MeetingAttendee, MeetingEntry
from bangban.meetings.workflow import ATTENDEE, ActionState, AttendeeKind, MeetingState

MEETING_LIST_RELATED = ("agency", "case", "project__company", "convened_by")


def _under(paths, field="agency__path"):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _covers(paths, agency):
    return any(agency.path.startswith(path) for path in paths)


def invitation_of(user, meeting):
    """The user's own invitation to `meeting`, or None (read from the prefetched attendees
    when the meeting page loaded them)."""
    if not user.is_authenticated:
        return None
    cache = getattr(meeting, "_prefetched_objects_cache", {})
    attendees = cache.get("attendees")
    if attendees is None:
        return meeting.attendees.filter(user=user).first()
    return next((a for a in attendees if a.user_id == user.pk), None)


def meeting_roles(user, meeting):
    """The roles `user` holds towards `meeting` (see workflow.MEETING_ACTIONS)."""
    if not user.is_authenticated:
        return frozenset()
    roles = set()
    for role in (Role.CHIEF_SPECIALIST, Role.SUPERVISOR):
        if _covers(agency_paths_for(user, role), meeting.agency):
            roles.add(role)
    if meeting.case_id and meeting.case.specialist_id == user.pk:
        roles.add(Role.SPECIALIST)
    if meeting.project_id and meeting.project.company_id in company_ids_of(user):
        roles.add(Role.APPLICANT)
    if invitation_of(user, meeting) is not None:
        roles.add(ATTENDEE)
    return frozenset(roles)


# Who sees draft minutes, the meeting's record and the invitees' addresses: the government
# side (invited department representatives and experts too), not the company.
GOVERNMENT_ROLES = frozenset({Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.SPECIALIST})


def is_government_side(user, meeting, roles=None):
    roles = meeting_roles(user, meeting) if roles is None else roles
    if roles & GOVERNMENT_ROLES:
        return True
    invitation = invitation_of(user, meeting)
    return invitation is not None and invitation.kind != AttendeeKind.COMPANY


def meetings_visible_to(user):
    if not user.is_authenticated:
        return Meeting.objects.none()
    condition = _under(
        agency_paths_for(user, Role.CHIEF_SPECIALIST) + agency_paths_for(user, Role.SUPERVISOR)
    )
    condition |= Q(case__specialist=user)
    condition |= Q(project__company_id__in=company_ids_of(user))
    condition |= Q(Exists(MeetingAttendee.objects.filter(meeting=OuterRef("pk"), user=user)))
    return Meeting.objects.filter(condition).select_related(*MEETING_LIST_RELATED)


def get_meeting_for(user, pk):
    """The meeting with what its page shows, or 404 when the user may not see it."""
    meeting = (
        meetings_visible_to(user)
        .select_related("case__agency", "case__specialist", "minutes_recorded_by",
                        "published_by", "cancelled_by")
        .prefetch_related(
            Prefetch("attendees", queryset=MeetingAttendee.objects.select_related(
                "user", "department", "company_contact")),
            Prefetch("actions", queryset=MeetingAction.objects.select_related("owner")),
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def meetings_of_problem(user, problem):
    """The meetings convened on `problem` that the user may see, latest first."""
    return meetings_visible_to(user).filter(problems=problem).order_by("-starts_at", "-pk")


def split_meetings(meetings, when, now=None):
    """Upcoming meetings (not yet over), soonest first, or past ones, latest first."""
    now = now or timezone.now()
    if when == "past":
        return meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")


def meeting_history(meeting):
    """The meeting's own record, oldest first."""
    return MeetingEntry.objects.filter(meeting=meeting).select_related("actor")


def corrections(meeting):
    return meeting_history(meeting).filter(action="correct_minutes")


def open_actions_of(user):
    """The decisions of published minutes the user still has to carry out, the most urgent
    first."""
    if not user.is_authenticated:
        return MeetingAction.objects.none()
    return (
        MeetingAction.objects.filter(owner=user, state=ActionState.OPEN,
                                     meeting__state=MeetingState.PUBLISHED)
        .select_related("meeting__agency", "meeting__project")
        .order_by("due_date", "pk")
    )
