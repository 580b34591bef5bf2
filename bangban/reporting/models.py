"""An export too long to write during a request, written by the worker (jobs.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(TimeStampedModel):
    """One user's export of one table with the page's filters (`params`).

    The worker claims a queued row — or a running one whose lease ran out, its worker having
    died — with a conditional UPDATE that sets a fresh `claim_token` and `claimed_until`;
    progress and the outcome are written only while the token still holds. The file stays
    in the default storage until `expires_at`, then the same job deletes it with the row."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.CASCADE, related_name="export_jobs")
    table = models.CharField(_("table"), max_length=64)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    # The interface language of the request: the worker writes headers and labels in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ExportState.choices,
                             default=ExportState.QUEUED)
    rows_done = models.PositiveIntegerField(_("records written"), default=0)
    rows_total = models.PositiveIntegerField(_("records to write"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "claimed_until"], name="export_due_idx")]

    def __str__(self):
        return f"{self.table} #{self.pk}"

    @property
    def percent(self):
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, 100 * self.rows_done // self.rows_total)

    @property
    def finished(self):
        return self.state in {ExportState.DONE, ExportState.FAILED}
