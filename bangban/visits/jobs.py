"""The quarterly statistics reminder (listed in `settings.BANGBAN_WORKER_JOBS`).

Guangzhou 三(四): each quarter's government–enterprise interaction statistics are reported in
the first 5 working days of the next quarter. On those days (the agency's working-day
calendar) every agency with a chief specialist and no reminder yet for the quarter gets one.
Thin and idempotent: the reminder row's unique constraint lets exactly one worker send it.
"""

import logging

from django.utils import timezone

from bangban.core.errors import DomainError
from bangban.core.worker import stop_requested
from bangban.visits import selectors, services
from bangban.visits.quarters import Quarter, in_reporting_window

logger = logging.getLogger(__name__)

# The first 5 working days of a quarter end well before its 21st day, even after the October
# National Day week; past it the job needs no query at all, however often the worker runs.
WINDOW_BOUND_DAYS = 20


def remind_quarterly_statistics(today=None):
    """Returns how many reminders it sent."""
    today = today or timezone.localdate()
    quarter = Quarter.of(today)
    if (today - quarter.first_day).days > WINDOW_BOUND_DAYS:
        return 0
    sent = 0
    for agency in selectors.agencies_to_remind(quarter.previous()):
        if stop_requested():
            break
        if not in_reporting_window(today, agency=agency):
            continue
        try:
            services.send_statistics_reminder(agency=agency, quarter=quarter)
        except DomainError as error:
            logger.info("Statistics reminder skipped for %s: %s", agency, error.message)
            continue
        sent += 1
    return sent
