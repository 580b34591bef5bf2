import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel
from bangban.notifications.models import OutboxDelivery
from bangban.webhooks.events import EVENT_NAMES

validate_target_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter the full http:// or https:// address of the receiving system, "
              "e.g. https://approval.example.gov.cn/bangban/webhook."),
)


def new_secret():
    return secrets.token_hex(32)


class WebhookEndpoint(TimeStampedModel):
    """A system that receives the events it subscribes to as signed HTTP POST requests; with
    an agency, only events of cases of that agency and the agencies below it."""

    name = models.CharField(_("name"), max_length=128)
    url = models.CharField(_("target URL"), max_length=500, validators=[validate_target_url])
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret,
                              editable=False)
    events = models.JSONField(
        _("events"), default=list, blank=True,
        help_text=_("Events sent to this endpoint; a group with * covers every event it "
                    "matches."),
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Only cases of this agency and the agencies below it; empty means all."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        events = self.events if isinstance(self.events, list) else None
        if not events:
            raise ValidationError({"events": _("Choose at least one event.")})
        unknown = sorted(str(name) for name in events if name not in EVENT_NAMES)
        if unknown:
            raise ValidationError({"events": _("Unknown event(s): %(names)s.")
                                   % {"names": ", ".join(unknown)}})


class WebhookDelivery(OutboxDelivery):
    """One event for one endpoint, written in the same transaction as the ledger entry it
    reports and sent by the worker like e-mail and SMS (`OutboxDelivery`). `delivery_id`
    goes out as X-Bangban-Delivery and stays the same on every attempt, so the receiver can
    recognise a repeat."""

    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True,
                                   editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("endpoint"),
                                 on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=64)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    ledger_entry = models.ForeignKey(
        "cases.LedgerEntry", verbose_name=_("ledger entry"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    body = models.TextField(_("body (JSON)"))
    response_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True,
                                                       blank=True)
    # The outbox's column under the label a 2xx answer earns: the receiver has the event.
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta(OutboxDelivery.Meta):
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
