from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.core.models import TimeStampedModel


class Category(models.TextChoices):
    """Project categories, Binzhou DB3716/T 2—2022 7.3.2."""

    GOVERNMENT_BUILDING = "A", _("Government-invested building")
    MUNICIPAL_LINEAR = "B", _("Municipal linear works")
    GENERAL_INDUSTRIAL = "C", _("General industrial project")
    SOCIAL_REAL_ESTATE = "D", _("Social-investment real estate development")
    OLD_RESIDENTIAL_RENOVATION = "E", _("Old residential area renovation")
    LAND_WITH_DESIGN = "F", _("Social investment, land sold with design scheme")
    OTHER = "G", _("Other")


class InvestmentType(models.TextChoices):
    GOVERNMENT = "government", _("Government investment")
    SOCIAL = "social", _("Social investment")


project_code_validator = RegexValidator(
    r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$",
    _("A project code has the form YYYY-NNNNNN-NN-NN-NNNNNN, e.g. 2026-371602-47-01-000123."),
)


class Project(TimeStampedModel):
    """工程建设项目."""

    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.PROTECT,
        related_name="projects",
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
        related_name="projects",
    )
    name = models.CharField(_("project name"), max_length=200)
    code = models.CharField(
        _("project code"), max_length=24, unique=True, null=True, blank=True,
        validators=[project_code_validator],
        help_text=_("National investment project code; leave empty until it is assigned."),
    )
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    investment_type = models.CharField(
        _("investment type"), max_length=16, choices=InvestmentType.choices
    )
    is_key_project = models.BooleanField(_("key project"), default=False)
    location = models.CharField(_("location"), max_length=255)
    total_investment = models.DecimalField(
        _("total investment (10,000 yuan)"), max_digits=14, decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("project summary"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class KeyProjectTeam(TimeStampedModel):
    """A key project's dedicated team (Hunan 三(二): "one project, one team, one plan, one
    optimal route"): the specialist who drives it, the chief specialist answerable for it, and
    the representatives of the departments that approve its items (`members`)."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="key_team",
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("specialist"), on_delete=models.PROTECT,
        related_name="+",
    )
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chief specialist"), on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    set_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set up by"), on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("key project team")
        verbose_name_plural = _("key project teams")

    def __str__(self):
        return str(self.project)


class KeyProjectTeamMember(models.Model):
    """A department representative on a key project's team."""

    team = models.ForeignKey(
        KeyProjectTeam, verbose_name=_("team"), on_delete=models.CASCADE,
        related_name="members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("representative"), on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("key project team member")
        verbose_name_plural = _("key project team members")
        ordering = ["department__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user", "department"],
                                    name="key_team_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.department}"
