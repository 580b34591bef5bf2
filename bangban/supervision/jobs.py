"""The supervision scan (listed in `settings.BANGBAN_WORKER_JOBS`; `manage.py scan_supervision`
runs it once).

Thin and idempotent: it selects what is due by indexed columns — overdue items
(`deadlines.selectors.items_overdue`, `CaseItem.due_date`) without a notice, and open notices
whose `next_escalation_on` has come — and calls the services as the system user. Each row is
handled in its own transaction; a row another worker handled first fails the service's check
under the row lock (or the one-notice-per-lapse constraint) and is skipped, so two workers
never act twice. Returns how many rows it changed.
"""

import logging

from django.utils import timezone

from bangban.accounts.system import system_user
from bangban.core.errors import DomainError
from bangban.core.worker import stop_requested
from bangban.supervision import selectors, services
from bangban.supervision.workflow import NoticeLevel

logger = logging.getLogger(__name__)

BATCH = 200


def scan_supervision(today=None):
    today = today or timezone.localdate()
    system = system_user()
    handled = 0
    for item in selectors.items_needing_a_notice(today)[:BATCH]:
        if stop_requested():
            return handled
        handled += _attempt(services.issue_notice, item=item, by=system, today=today)
    for notice in selectors.notices_due_for_escalation(today)[:BATCH]:
        if stop_requested():
            return handled
        if notice.level == NoticeLevel.NOTICE:
            handled += _attempt(services.escalate_notice, notice=notice, by=system, today=today)
        elif notice.level == NoticeLevel.ESCALATED:
            handled += _attempt(services.refer_notice, notice=notice, by=system, today=today)
    return handled


def _attempt(service, **kwargs):
    try:
        service(**kwargs)
    except DomainError as error:
        # Someone (another worker, a person) was first, or the row changed since it was read.
        logger.info("Supervision scan skipped a row: %s", error.message)
        return 0
    return 1
