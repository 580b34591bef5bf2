"""Reads of the audit log: who may read it and which events they see.

Administrators (and superusers) see every event, failed logins under unknown names included;
a supervisor sees the events of the staff of their agency and the agencies below it.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from bangban.accounts.models import Membership, Role
from bangban.accounts.permissions import memberships_of
from bangban.audit.models import AuditEvent


def _sees_everything(user):
    return user.is_superuser or any(m.role == Role.ADMINISTRATOR for m in memberships_of(user))


def _supervised_paths(user):
    return [m.agency.path for m in memberships_of(user) if m.role == Role.SUPERVISOR]


def may_read_audit_log(user):
    return user.is_authenticated and (_sees_everything(user) or bool(_supervised_paths(user)))


def events_visible_to(user):
    events = AuditEvent.objects.select_related("user")
    if not user.is_authenticated:
        return events.none()
    if _sees_everything(user):
        return events
    paths = _supervised_paths(user)
    if not paths:
        return events.none()
    under = Q()
    for path in paths:
        under |= Q(agency__path__startswith=path)
    return events.filter(user_id__in=Membership.objects.filter(under).values("user_id"))


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_events(events, *, date_from=None, date_to=None, user="", kind=""):
    """`date_from`/`date_to` are whole local days, `user` a part of the user name."""
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if user:
        events = events.filter(username__icontains=user)
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("-at", "-pk")
