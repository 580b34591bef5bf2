"""咨询: inquiries logged at the window, by phone, WeChat, video or online (SPEC §6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangban.consultations.workflow import Channel, ConsultationState
from bangban.core.models import TimeStampedModel


class Consultation(TimeStampedModel):
    """One inquiry. `first_responder` took it and is responsible until it is answered
    (首问责任制); `is_first_inquiry` is fixed when it is logged: nobody from the company (by
    company, company name or phone) had asked before. A first inquiry must record that the
    service was recommended (Qujiang 第二十一条)."""

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
        related_name="consultations",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=ConsultationState.choices,
                             default=ConsultationState.OPEN, db_index=True)
    asked_at = models.DateTimeField(_("asked at"), db_index=True)
    asker_name = models.CharField(_("asker's name"), max_length=64)
    asker_company_name = models.CharField(_("asker's company"), max_length=128, blank=True)
    asker_phone = models.CharField(_("asker's phone"), max_length=32, blank=True,
                                   db_index=True)
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="consultations",
    )
    company_contact = models.ForeignKey(
        "companies.CompanyContact", verbose_name=_("company contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="consultations",
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="consultations",
    )
    project_hint = models.CharField(
        _("project (as told)"), max_length=255, blank=True,
        help_text=_("What the asker said about the project: name, kind, site, scale."),
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("first responder"), on_delete=models.PROTECT,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    is_first_inquiry = models.BooleanField(_("first inquiry"), default=False)
    service_recommended = models.BooleanField(_("service recommended"), default=False)
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("application"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="consultation",
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("converted by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["agency", "state"], name="consultation_agency_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_first_inquiry=False) | Q(service_recommended=True),
                name="consultation_first_inquiry_recommended",
            ),
        ]

    def __str__(self):
        return f"{self.asker_name} · {self.get_channel_display()} · {self.asked_at:%Y-%m-%d}"

    @property
    def is_answered(self):
        return self.state != ConsultationState.OPEN

    @property
    def asker_company_label(self):
        return self.company.name if self.company_id else self.asker_company_name

    def clean(self):
        errors = {}
        if self.is_first_inquiry and not self.service_recommended:
            errors["service_recommended"] = _(
                "This is the company's first inquiry: recommend the assistance service and "
                "tick the box (Qujiang rules, article 21)."
            )
        if self.company_contact_id and self.company_contact.company_id != self.company_id:
            errors["company_contact"] = _("Choose a contact of the asker's company.")
        if self.project_id and self.project.company_id != self.company_id:
            errors["project"] = _("Choose a project of the asker's company.")
        if self.state != ConsultationState.OPEN and not self.answer.strip():
            errors["answer"] = _("Write down the answer given.")
        if errors:
            raise ValidationError(errors)
