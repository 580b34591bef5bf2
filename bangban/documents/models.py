import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import ChoiceLabelsMixin


def document_upload_to(document, filename):
    # The stored name is never the uploaded one: a name cannot carry a path or overwrite a file.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"cases/{document.case_id}/{uuid.uuid4().hex}.{extension}"


class DocumentKind(models.TextChoices):
    APPLICATION = "application", _("Application material")
    MATERIAL = "material", _("Item material")
    SUPPLEMENT = "supplement", _("Supplementary material")
    AGREEMENT = "agreement", _("Agency agreement")
    REVIEW_NOTE = "review_note", _("Review note")
    PUSHED_PACKAGE = "package", _("Pushed package")
    RESULT = "result", _("Approval result")
    NOTICE = "notice", _("Notice")
    MINUTES = "minutes", _("Meeting minutes")
    FORM = "form", _("Generated form")
    OTHER = "other", _("Other")


class Document(ChoiceLabelsMixin, models.Model):
    """An artifact in the case archive (Binzhou 7.7), shared with the company."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="documents"
    )
    item = models.ForeignKey(
        "cases.CaseItem", verbose_name=_("item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["case", "-uploaded_at"]

    def __str__(self):
        return f"{self.title} v{self.version}"
