"""Worker jobs of the notifications app (listed in the `BANGBAN_WORKER_JOBS` setting).

A job is thin and idempotent: it selects due rows and calls the delivery functions, and
returns how many rows it handled so the worker knows whether to look again at once.
"""

from bangban.core.worker import stop_requested
from bangban.notifications.delivery import claim_next_message, deliver_message

BATCH = 100


def deliver_due_messages():
    """Sends every e-mail and SMS that is due (up to a batch); returns how many it tried."""
    handled = 0
    while handled < BATCH and not stop_requested():
        message = claim_next_message()
        if message is None:
            break
        deliver_message(message)
        handled += 1
    return handled
