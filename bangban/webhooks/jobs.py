"""Worker job of the webhooks app (listed in the `BANGBAN_WORKER_JOBS` setting)."""

from bangban.webhooks.delivery import WEBHOOKS, deliver


def deliver_due_webhooks():
    """Sends every webhook delivery that is due (up to a batch); returns how many it tried."""
    return WEBHOOKS.deliver_due(deliver)
