"""Managing webhook endpoints, and queuing an event for them with each ledger entry.

`queue_ledger_event` is called by `bangban.cases.services.record_ledger` in the caller's
transaction: the deliveries exist exactly when the ledger entry does (rolled back together,
or committed together and then sent by the worker, however often it has to retry).
"""

import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.core.errors import NotAllowed
from bangban.notifications.services import in_app_only_active
from bangban.webhooks.delivery import WEBHOOKS
from bangban.webhooks.events import event_name, payload, subscribed
from bangban.webhooks.models import WebhookDelivery, WebhookEndpoint, new_secret
from bangban.webhooks.selectors import endpoints_for_case

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("name", "url", "events", "agency", "is_active")


def _check(by, permission):
    if not by.has_perm(f"webhooks.{permission}"):
        raise NotAllowed(_("Only administrators manage webhook endpoints."))


def create_endpoint(*, by, name, url, events, agency=None, is_active=True):
    """A new endpoint with a freshly generated secret (`endpoint.secret`: give it to the
    receiving system now)."""
    _check(by, "add_webhookendpoint")
    endpoint = WebhookEndpoint(name=name, url=url, events=list(events), agency=agency,
                               is_active=is_active, secret=new_secret())
    endpoint.full_clean()
    endpoint.save()
    logger.info("Webhook endpoint %s (%s) created by %s", endpoint.pk, endpoint.url, by)
    return endpoint


def update_endpoint(*, endpoint, by, **fields):
    """Changes the name, URL, events, agency or active flag (never the secret: see
    `rotate_secret`)."""
    _check(by, "change_webhookendpoint")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_endpoint() cannot change {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(endpoint, name, list(value) if name == "events" else value)
    endpoint.full_clean()
    endpoint.save()
    logger.info("Webhook endpoint %s changed by %s: %s", endpoint.pk, by, sorted(fields))
    return endpoint


def rotate_secret(*, endpoint, by):
    """Replaces the endpoint's secret and returns the new one. Deliveries made from now on —
    including retries of earlier events — are signed with it."""
    _check(by, "change_webhookendpoint")
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    logger.info("Webhook endpoint %s: secret rotated by %s", endpoint.pk, by)
    return endpoint.secret


def deactivate_endpoint(*, endpoint, by):
    """No new events are queued for the endpoint, and those still waiting are not sent."""
    _check(by, "change_webhookendpoint")
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active", "updated_at"])
    logger.info("Webhook endpoint %s deactivated by %s", endpoint.pk, by)
    return endpoint


def resend_deliveries(*, deliveries, by):
    """Sends failed deliveries (dead, or waiting for their next retry) again now, with a
    fresh set of attempts and their original delivery id. Returns how many."""
    _check(by, "change_webhookdelivery")
    count = WEBHOOKS.requeue([delivery.pk for delivery in deliveries])
    logger.info("%s webhook delivery(ies) queued again by %s", count, by)
    return count


def queue_ledger_event(entry):
    """Queues the event of ledger entry `entry` for every endpoint subscribed to it, in the
    caller's transaction: one query to find the endpoints, one insert when there are any."""
    if in_app_only_active():
        # History built by demo_data: nothing happened that a receiving system should hear of.
        return []
    event = event_name(entry)
    endpoints = [endpoint for endpoint in endpoints_for_case(entry.case)
                 if subscribed(endpoint.events, event)]
    if not endpoints:
        return []
    body = json.dumps(payload(entry, event), cls=DjangoJSONEncoder, ensure_ascii=False,
                      separators=(",", ":"))
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint=endpoint, event=event, case=entry.case, ledger_entry=entry,
                        body=body, next_attempt_at=now)
        for endpoint in endpoints
    ])
