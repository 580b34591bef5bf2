from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.companies.credit_code import normalize_credit_code, validate_credit_code
from bangban.core.models import TimeStampedModel


class Company(TimeStampedModel):
    """项目单位 / 服务对象."""

    name = models.CharField(_("company name"), max_length=128)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True,
        validators=[validate_credit_code],
    )
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)


class CompanyContact(TimeStampedModel):
    """A person acting for the company (经办人); the representative signs the completion sheet."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="contacts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="company_contacts",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.CharField(pgettext_lazy("job", "position"), max_length=64, blank=True)
    is_representative = models.BooleanField(_("company representative"), default=False)
    # The representative always manages the company's contacts; this lets a colleague do it too.
    is_administrator = models.BooleanField(
        _("company administrator"), default=False,
        help_text=_("May invite colleagues and edit the company's details."),
    )

    class Meta:
        verbose_name = _("company contact")
        verbose_name_plural = _("company contacts")
        ordering = ["company", "-is_representative", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user"], name="contact_unique_user_per_company"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.company}）"


class VerificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class RegistrationRequest(TimeStampedModel):
    """A self-registration waiting for its one-time code (SPEC §11).

    Nothing of the company exists until the code is entered: a request that is never verified
    cannot hold the credit code or the user name. The code and the password are stored hashed.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(_("verification by"), max_length=8,
                               choices=VerificationChannel.choices)
    address = models.CharField(_("sent to"), max_length=254, db_index=True)
    details = models.JSONField(_("registration details"), default=dict)
    password_hash = models.CharField(max_length=128, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    code_expires_at = models.DateTimeField(_("code expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    codes_sent = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    last_sent_at = models.DateTimeField(_("last code sent at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    contact = models.OneToOneField(
        CompanyContact, verbose_name=_("company contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.details.get('company_name', '')} → {self.address}"
