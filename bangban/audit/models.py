"""The audit log (等保 security audit): who logged in, failed to, logged out, exported data or
was refused, when and from where. Append-only; only pruning past the retention period
(`settings.AUDIT_KEEP_DAYS`, services.prune_events) removes rows."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import ChoiceLabelsMixin


class AuditKind(models.TextChoices):
    """What happened. A new kind is one more line here (and a call to services.record)."""

    LOGIN_SUCCEEDED = "login_succeeded", _("Login succeeded")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logout")
    EXPORT = "export", _("Export or download")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Audit events cannot be changed."))

    def delete(self):
        raise ValidationError(_("Audit events cannot be deleted."))

    def delete_older_than(self, moment, *, limit):
        """Deletes up to `limit` of the oldest events before `moment`; the one way rows leave
        the log (retention). Returns how many were deleted."""
        pks = list(self.filter(at__lt=moment).order_by("at", "pk").values_list("pk", flat=True)
                   [:limit])
        if not pks:
            return 0
        deleted, _counts = models.QuerySet.delete(AuditEvent.objects.filter(pk__in=pks))
        return deleted


class AuditEvent(ChoiceLabelsMixin, models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True)
    # Kept when the account is deleted: the typed user name below still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # As typed at the login form (also for names that match no account), else the user's.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=AuditKind.choices)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    object_description = models.CharField(_("object"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="audit_event_at"),
            models.Index(fields=["user", "at"], name="audit_event_user_at"),
            models.Index(fields=["kind", "at"], name="audit_event_kind_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))
