"""The problem escalation job (listed in `settings.BANGBAN_WORKER_JOBS`).

Thin and idempotent: it selects open problems whose `next_escalation_on` (indexed) has come and
calls `services.escalate_problem` as the system user, one transaction per problem. A problem
another worker escalated first fails the service's check under the row lock (its next escalation
day has moved on), or `ProblemEscalation`'s one-row-per-level constraint, and is skipped: two
workers never escalate twice. Returns how many problems it escalated.
"""

import logging

from django.utils import timezone

from bangban.accounts.system import system_user
from bangban.core.errors import DomainError
from bangban.core.worker import stop_requested
from bangban.problems import selectors, services

logger = logging.getLogger(__name__)

BATCH = 200


def escalate_overdue_problems(today=None):
    today = today or timezone.localdate()
    system = None
    handled = 0
    for problem in selectors.problems_due_for_escalation(today)[:BATCH]:
        if stop_requested():
            break
        system = system or system_user()
        try:
            services.escalate_problem(problem=problem, by=system, today=today)
        except DomainError as error:
            # Someone (another worker, a person) was first, or the row changed since it was read.
            logger.info("Problem escalation skipped %s: %s", problem.number, error.message)
            continue
        handled += 1
    return handled
