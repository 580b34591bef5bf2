"""Worker job of the audit app (listed in `BANGBAN_WORKER_JOBS`)."""

from bangban.audit import services


def prune_audit_events(*, now=None):
    """Deletes one batch of events past the retention period; returns how many."""
    return services.prune_events(now=now)
