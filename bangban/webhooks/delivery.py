"""Sending webhook deliveries: claimed, leased and retried like e-mail and SMS
(`bangban.notifications.outbox`), sent as one signed HTTP POST each.

2xx means delivered. Any other status, a timeout or a connection error is retried with
exponential backoff up to `WEBHOOK_MAX_ATTEMPTS`, then the delivery is dead (the admin shows
it with its last error and can send it again). Redirects are never followed: a 3xx is
recorded as a failure naming where it pointed. Every attempt carries the same
X-Bangban-Delivery id, so a receiver recognises a delivery it has already processed — after
a worker died mid-request, say.
"""

import http.client
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings

from bangban.notifications.outbox import Outbox
from bangban.webhooks.models import WebhookDelivery
from bangban.webhooks.signing import sign

logger = logging.getLogger(__name__)

WEBHOOKS = Outbox(WebhookDelivery, "Webhook delivery",
                  max_attempts_setting="WEBHOOK_MAX_ATTEMPTS")
USER_AGENT = "Bangban-Webhooks/1"
RESPONSE_SNIPPET = 300


def headers_for(delivery, secret, timestamp):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Bangban-Event": delivery.event,
        "X-Bangban-Delivery": str(delivery.delivery_id),
        "X-Bangban-Timestamp": timestamp,
        "X-Bangban-Signature": sign(secret, timestamp, delivery.body.encode()),
    }


def post(url, body, headers, *, timeout):
    """(status, Location header, start of the response body) of one POST; never follows a
    redirect and never goes through a proxy."""
    parts = urlsplit(url)
    connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                        else http.client.HTTPConnection)
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        snippet = response.read(RESPONSE_SNIPPET).decode("utf-8", "replace")
        return response.status, response.getheader("Location", ""), snippet
    finally:
        connection.close()


def deliver(delivery, *, now=None):
    """Sends a claimed delivery and records the outcome; returns the new state."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return WEBHOOKS.record_failure(delivery, "Not sent: the endpoint is deactivated.",
                                       retryable=False, now=now)
    timestamp = str(int(time.time()))
    body = delivery.body.encode()
    try:
        status, location, snippet = post(endpoint.url, body,
                                         headers_for(delivery, endpoint.secret, timestamp),
                                         timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException) as error:
        return WEBHOOKS.record_failure(delivery, f"{type(error).__name__}: {error}",
                                       retryable=True, now=now)
    except Exception as error:
        # A bug or a misconfiguration: recorded and retried like any failure, never lost.
        logger.exception("Webhook delivery %s: unexpected error", delivery.pk)
        return WEBHOOKS.record_failure(delivery, f"{type(error).__name__}: {error}",
                                       retryable=True, now=now)
    if 200 <= status < 300:
        return WEBHOOKS.record_sent(delivery, now=now, response_status=status)
    if 300 <= status < 400:
        error = f"HTTP {status}: redirect to {location or '?'} not followed"
    else:
        error = f"HTTP {status}: {snippet}".strip()
    return WEBHOOKS.record_failure(delivery, error, retryable=True, now=now,
                                   response_status=status)
