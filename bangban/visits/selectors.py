"""Reads for visits and activities, and the quarterly interaction statistics.

Staff (specialists, chief specialists, supervisors, administrators) see the activities of
their agency and of the agencies below it; the statistics of an agency count its own
activities and those of every agency below it.
"""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404

from bangban.accounts.models import Agency, Membership, Role
from bangban.accounts.permissions import memberships_of
from bangban.visits.models import Activity, ActivityKind, StatisticsReminder

READER_ROLES = frozenset(
    {Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.ADMINISTRATOR}
)
KEEPER_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST})


def _paths(user, roles):
    return sorted({m.agency.path for m in memberships_of(user) if m.role in roles})


def _under(paths, field="agency__path"):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def is_reader(user):
    return bool(_paths(user, READER_ROLES))


def keeper_agencies(user):
    """The agencies whose activities `user` may record: where they are (chief) specialist."""
    return Agency.objects.filter(
        pk__in={m.agency_id for m in memberships_of(user) if m.role in KEEPER_ROLES}
    ).order_by("path")


def can_record_for(user, agency):
    return any(agency.path.startswith(path) for path in _paths(user, KEEPER_ROLES))


def activities_visible_to(user):
    if not user.is_authenticated:
        return Activity.objects.none()
    return (Activity.objects.filter(_under(_paths(user, READER_ROLES)))
            .select_related("agency", "case", "recorded_by")
            .prefetch_related("companies"))


def filter_activities(activities, *, kind=""):
    if kind:
        activities = activities.filter(kind=kind)
    return activities.order_by("-held_on", "-pk")


def get_activity_for(user, pk):
    activity = activities_visible_to(user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


def statistics_agencies(user):
    """The agencies whose statistics `user` may read, in tree order."""
    paths = _paths(user, READER_ROLES)
    if not paths:
        return Agency.objects.none()
    return Agency.objects.filter(_under(paths, "path")).order_by("path")


def quarterly_statistics(*, agency, quarter):
    """The interaction statistics of `agency` for `quarter`: one row per agency of its subtree
    (the agency first, then the ones below it in tree order) with the number of activities and
    participants per kind, then the totals. Two queries.

    Returns {"rows": [{"agency", "counts": {kind: n}, "participants": {kind: n}, "total",
    "total_participants"}], "totals": {…the same without agency}}."""
    agencies = list(Agency.objects.filter(path__startswith=agency.path).order_by("path"))
    figures = (
        Activity.objects.filter(agency__path__startswith=agency.path,
                                held_on__range=(quarter.first_day, quarter.last_day))
        .values("agency_id", "kind")
        .annotate(n=Count("pk"), participants=Sum("participants_count"))
    )
    counts = defaultdict(dict)
    participants = defaultdict(dict)
    for row in figures:
        counts[row["agency_id"]][row["kind"]] = row["n"]
        participants[row["agency_id"]][row["kind"]] = row["participants"] or 0

    def line(count_by_kind, participants_by_kind):
        return {
            "counts": {kind: count_by_kind.get(kind, 0) for kind in ActivityKind.values},
            "participants": {kind: participants_by_kind.get(kind, 0)
                             for kind in ActivityKind.values},
            "total": sum(count_by_kind.values()),
            "total_participants": sum(participants_by_kind.values()),
        }

    rows = [{"agency": a, "depth": a.path.count("/") - agency.path.count("/"),
             **line(counts[a.pk], participants[a.pk])} for a in agencies]
    total_counts, total_participants = defaultdict(int), defaultdict(int)
    for agency_counts in counts.values():
        for kind, n in agency_counts.items():
            total_counts[kind] += n
    for agency_participants in participants.values():
        for kind, n in agency_participants.items():
            total_participants[kind] += n
    return {"rows": rows, "totals": line(total_counts, total_participants)}


def agencies_to_remind(quarter):
    """Agencies with an active chief specialist and no reminder yet for `quarter`'s figures."""
    return (
        Agency.objects.filter(memberships__role=Role.CHIEF_SPECIALIST,
                              memberships__user__is_active=True)
        .exclude(Exists(StatisticsReminder.objects.filter(
            agency=OuterRef("pk"), year=quarter.year, quarter=quarter.number)))
        .distinct().order_by("path")
    )


def chief_specialists_of(agency):
    return [m.user for m in Membership.objects.filter(
        agency=agency, role=Role.CHIEF_SPECIALIST, user__is_active=True).select_related("user")]
