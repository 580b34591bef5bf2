"""Writes to the audit log. Every caller goes through `record` (or `record_export`), so the
client address, the path and the user are read the same way everywhere."""

import datetime
import ipaddress

from django.conf import settings
from django.utils import timezone

from bangban.audit.models import AuditEvent, AuditKind

# Rows deleted per pruning round: a short transaction each, the worker comes back at once
# while there are more.
PRUNE_BATCH = 5000


def client_ip(request):
    """The visitor's address: from the header named by BANGBAN_CLIENT_IP_HEADER behind a
    proxy (the same one the rate limits use), else the connection's; None if unreadable."""
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    # X-Forwarded-For lists the client first, then each proxy.
    value = (request.META.get(key) or "").split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _user_of(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def record(kind, *, request=None, user=None, username=None, object_description="",
           details=None):
    """Appends one event; `user` defaults to the request's (if logged in), `username` to the
    user's."""
    user = user or _user_of(request)
    if username is None:
        username = user.get_username() if user is not None else ""
    return AuditEvent.objects.create(
        kind=AuditKind(kind),
        user=user,
        username=username[:150],
        client_ip=client_ip(request) if request is not None else None,
        path=request.path[:500] if request is not None else "",
        object_description=str(object_description)[:255],
        details=details or {},
    )


def record_export(*, what, request=None, by=None, details=None):
    """One export or download of data leaving the platform: `what` names it (a file name, a
    table, a case number); `by` for exports without a request (a management command)."""
    return record(AuditKind.EXPORT, request=request, user=by, object_description=what,
                  details=details)


def prune_cutoff(now=None):
    return (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_KEEP_DAYS)


def prune_events(*, now=None, limit=PRUNE_BATCH):
    """Deletes (up to `limit`) events older than the retention period; returns how many."""
    return AuditEvent.objects.delete_older_than(prune_cutoff(now), limit=limit)
