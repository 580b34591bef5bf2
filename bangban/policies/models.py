from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel


class PolicyTag(models.Model):
    name = models.CharField(_("name"), max_length=32, unique=True)
    slug = models.SlugField(_("code"), max_length=32, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("policy tag")
        verbose_name_plural = _("policy tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Policy(TimeStampedModel):
    """优惠政策: a published policy document of the policy library (SPEC §11)."""

    title = models.CharField(_("title"), max_length=200)
    issuing_body = models.CharField(_("issuing body"), max_length=128)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Leave empty when the policy has no end date."))
    summary = models.TextField(_("summary"))
    body = models.TextField(_("full text"), blank=True)
    link = models.URLField(_("link to the original"), max_length=500, blank=True)
    tags = models.ManyToManyField(PolicyTag, verbose_name=_("tags"), blank=True,
                                  related_name="policies")
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.valid_until and self.issued_on and self.valid_until < self.issued_on:
            raise ValidationError(
                {"valid_until": _("A policy cannot end before the day it was issued.")})

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class CasePolicy(TimeStampedModel):
    """A policy placed in a case's service guide (专属办事指南) by its specialist or chief."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="linked_policies")
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="case_links")
    note = models.TextField(_("note for the company"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"),
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("policy in a service guide")
        verbose_name_plural = _("policies in service guides")
        ordering = ["case", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "policy"], name="case_policy_unique"),
        ]

    def __str__(self):
        return f"{self.case} · {self.policy}"
