"""Worker jobs of the notifications app (listed in the `BANGBAN_WORKER_JOBS` setting).

A job is thin and idempotent: it selects due rows and calls the delivery functions, and
returns how many rows it handled so the worker knows whether to look again at once.
"""

from bangban.notifications.delivery import MESSAGES, deliver_message


def deliver_due_messages():
    """Sends every e-mail and SMS that is due (up to a batch); returns how many it tried."""
    return MESSAGES.deliver_due(deliver_message)
