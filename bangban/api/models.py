from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    """A key another system uses to call the API as `user`. Only the key's SHA-256 is kept: the
    key is shown once, when the token is created (bangban.api.services.create_api_token)."""

    name = models.CharField(_("name"), max_length=100,
                            help_text=_("Which system uses the token, e.g. “provincial approval "
                                        "system”."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acts as"),
                             on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, so an administrator can tell tokens apart without the key.
    prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class InboundEvent(models.Model):
    """An approval system's event that was carried out, kept so that the same `event_id` posted
    again returns this first outcome instead of acting twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted as"),
                             on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(_("event id"), max_length=100)
    event = models.CharField(_("event"), max_length=32)
    item = models.ForeignKey("cases.CaseItem", verbose_name=_("item"), on_delete=models.PROTECT,
                             related_name="+")
    item_state = models.CharField(_("item state after the event"), max_length=24)
    processed_at = models.DateTimeField(_("processed at"), default=timezone.now)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        ordering = ["-processed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event_id"],
                                    name="api_inbound_event_once_per_user"),
        ]

    def __str__(self):
        return f"{self.event_id} {self.event}"
