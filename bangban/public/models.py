from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.core.models import TimeStampedModel


class ContactCard(TimeStampedModel):
    """联系卡 (Binzhou 4.2.2): what a specialist makes public about themself — name, number,
    title, photo, phone and services. Shown to everyone once published."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="contact_card")
    name = models.CharField(_("name"), max_length=64)
    staff_number = models.CharField(_("staff number"), max_length=32, blank=True)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=64, blank=True)
    photo = models.FileField(_("photo"), upload_to="contact-cards/", blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("e-mail"), blank=True)
    services = models.TextField(_("services"), blank=True,
                                help_text=_("What you help with, one per line."))
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("contact card")
        verbose_name_plural = _("contact cards")
        ordering = ["staff_number", "name"]

    def __str__(self):
        return self.name

    @property
    def service_lines(self):
        return [line.strip() for line in self.services.splitlines() if line.strip()]


class ProgressQueryCode(TimeStampedModel):
    """查询码: with the project code, lets anyone who has it see the project's progress (stage
    and each item's light) without logging in. Issued, and reissued, by the case's specialist.

    Kept readable (the company looks it up again on its case page) and compared in constant
    time; it only ever shows what the public progress page shows, behind a rate limit."""

    project = models.OneToOneField("projects.Project", verbose_name=_("project"),
                                   on_delete=models.CASCADE, related_name="query_code")
    code = models.CharField(_("query code"), max_length=16)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"),
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("progress query code")
        verbose_name_plural = _("progress query codes")

    def __str__(self):
        return str(self.project)
