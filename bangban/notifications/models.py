import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import ChoiceLabelsMixin, TimeStampedModel
from bangban.notifications.rendering import unknown_placeholders


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


# Channels that leave the application and therefore go through the outbox.
EXTERNAL_CHANNELS = (Channel.EMAIL, Channel.SMS)


class Notification(models.Model):
    """An in-app message to one user about a case."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=48)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject


class NotificationTemplate(TimeStampedModel):
    """The text of one event's message on one channel, edited by administrators.

    Placeholders such as `{{ project_name }}` are filled in when the message is queued (see
    `rendering.PLACEHOLDERS`); an event without an active template uses the text the code
    passes to `notify`.
    """

    event = models.CharField(_("event"), max_length=48)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    subject = models.CharField(
        _("subject"), max_length=200, blank=True,
        help_text=_("Not used for SMS. Empty means the subject given by the application."),
    )
    body = models.TextField(_("message"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"],
                                    name="notification_template_unique_event_channel"),
        ]

    def __str__(self):
        return f"{self.event} · {self.get_channel_display()}"

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            unknown = unknown_placeholders(getattr(self, field))
            if unknown:
                errors[field] = _("Unknown placeholder(s): %(names)s.") % {
                    "names": ", ".join(unknown)
                }
        if errors:
            raise ValidationError(errors)


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    DEAD = "dead", _("Failed, gave up")


# States the worker looks at: `next_attempt_at` is when (for SENDING: when the lease ends).
DUE_STATES = (OutboxState.PENDING, OutboxState.RETRYING, OutboxState.SENDING)


class OutboxDelivery(ChoiceLabelsMixin, models.Model):
    """A row of an outbox table: something to send, written in the same transaction as the
    change it reports and delivered by the worker (`manage.py run_worker`) with the claims,
    leases and retries of `bangban.notifications.outbox`, which reads and writes these columns.
    Each table adds what it sends, to whom, and a key that stays the same on every attempt:
    a worker that dies mid-send leaves the row to be sent again once its lease runs out.
    """

    state = models.CharField(
        _("delivery state"), max_length=16, choices=OutboxState.choices,
        default=OutboxState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class OutboxMessage(OutboxDelivery):
    """One e-mail or SMS to one person. A message sent again after a worker died goes out
    with the same `idempotency_key`, which the provider uses to recognise a message it
    already has.
    """

    idempotency_key = models.UUIDField(
        _("idempotency key"), default=uuid.uuid4, unique=True, editable=False
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=48)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="outbox_messages",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True)

    class Meta(OutboxDelivery.Meta):
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            # The worker's query: state IN (due states) AND next_attempt_at <= now.
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["case", "-created_at"], name="outbox_case_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address}: {self.subject}"
