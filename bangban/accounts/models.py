from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.core.models import TimeStampedModel


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username


class Agency(TimeStampedModel):
    """帮办代办工作机构: a service centre; agencies nest city → county/district."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")

    name = models.CharField(_("name"), max_length=128)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent agency"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Materialised path ("/1/4/") so "this agency and every agency below it" is one indexed
    # prefix filter, whatever the depth of the tree.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An agency cannot be placed below itself.")})
            ancestor = ancestor.parent

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old_path = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old_path:
                for child in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.save()


class DepartmentKind(models.TextChoices):
    """The kind of approving body; the catalog names kinds, each agency has its own departments."""

    INVESTMENT_PLATFORM = "investment_platform", _("Online investment approval platform")
    DEVELOPMENT_REFORM = "development_reform", _("Development and reform")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources and planning")
    HOUSING_CONSTRUCTION = "housing_construction", _("Housing and urban-rural development")
    ECOLOGY_ENVIRONMENT = "ecology_environment", _("Ecology and environment")
    WATER = "water", _("Water resources")
    CIVIL_AIR_DEFENCE = "civil_air_defence", _("Civil air defence")
    URBAN_MANAGEMENT = "urban_management", _("Urban management")
    TRANSPORT = "transport", _("Transport")
    TRAFFIC_POLICE = "traffic_police", _("Public security traffic police")
    METEOROLOGY = "meteorology", _("Meteorology")
    FORESTRY_GARDENS = "forestry_gardens", _("Forestry and landscaping")
    URBAN_ARCHIVES = "urban_archives", _("Urban construction archives")
    REAL_ESTATE_REGISTRATION = "real_estate_registration", _("Real estate registration")
    WATER_SUPPLY = "water_supply", _("Water supply company")
    GAS_SUPPLY = "gas_supply", _("Gas supply company")
    POWER_SUPPLY = "power_supply", _("Power supply company")
    TELECOM = "telecom", _("Telecommunications company")
    CONSTRUCTION_UNIT = "construction_unit", _("Construction unit (self-conducted)")
    OTHER = "other", _("Other")


class Department(TimeStampedModel):
    """审批部门 / 责任单位: an approving authority or public utility at one agency's level."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["agency__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="department_unique_name"),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """The roles of SPEC §1. `APPLICANT` is held through a company contact, the rest per agency."""

    APPLICANT = "applicant", _("Company contact")
    SPECIALIST = "specialist", _("Specialist")
    CHIEF_SPECIALIST = "chief_specialist", _("Chief specialist")
    DEPARTMENT_REPRESENTATIVE = "department_representative", _("Department representative")
    EXPERT = "expert", _("Technical expert")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = [r for r in Role if r != Role.APPLICANT]


class Membership(TimeStampedModel):
    """A user's role at one agency; a department representative also names the department."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=32, choices=[(r.value, r.label) for r in STAFF_ROLES]
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="representatives",
    )
    staff_number = models.CharField(_("staff number"), max_length=32, blank=True)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role", "department"], name="membership_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.agency}"

    def clean(self):
        if self.role == Role.DEPARTMENT_REPRESENTATIVE and not self.department_id:
            raise ValidationError(
                {"department": _("A department representative must name the department.")}
            )
        if self.role != Role.DEPARTMENT_REPRESENTATIVE and self.department_id:
            raise ValidationError(
                {"department": _("Only a department representative belongs to a department.")}
            )
        if self.department_id and self.department.agency_id != self.agency_id:
            raise ValidationError(
                {"department": _("The department must belong to the same agency.")}
            )


class OIDCIdentity(TimeStampedModel):
    """A user's account at the unified identity platform (single sign-on, docs/sso.md).

    Written at the first single sign-on, after the configured claim named a local user; later
    logins find the user by the platform's stable subject (`sub`), so a renamed account at either
    end keeps its link.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    last_login_at = models.DateTimeField(_("last single sign-on"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique"),
            models.UniqueConstraint(fields=["issuer", "user"], name="oidc_identity_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user} · {self.subject}"


class PasswordHistory(models.Model):
    """A password the user had, as its hash, so that a new one cannot repeat it."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password"), max_length=128)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"
