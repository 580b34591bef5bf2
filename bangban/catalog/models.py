from django.db import models
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import DepartmentKind
from bangban.core.models import ChoiceLabelsMixin, TimeStampedModel
from bangban.projects.models import Category


class LimitUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("working days")
    CALENDAR_DAY = "calendar_day", _("calendar days")


class LimitBasis(models.TextChoices):
    """Where a time limit comes from; estimates are shown as such so agencies replace them."""

    STATUTORY = "L", _("Statutory")
    SEEN = "S", _("Published locally")
    ESTIMATE = "E", _("Estimate")


class Stage(models.Model):
    """A stage of the approval route (国办发〔2019〕11号), 0 set-up … 5 hook-up."""

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Matter(TimeStampedModel):
    """审批事项: one entry of the catalog, handled for a case as a CaseItem."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=128)
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="matters"
    )
    department_kind = models.CharField(
        _("department kind"), max_length=32, choices=DepartmentKind.choices
    )
    department_note = models.CharField(_("department (as published)"), max_length=128)
    legal_limit = models.PositiveSmallIntegerField(_("legal time limit"), null=True, blank=True)
    legal_limit_unit = models.CharField(
        _("legal limit unit"), max_length=16, choices=LimitUnit.choices,
        default=LimitUnit.WORKING_DAY,
    )
    legal_limit_basis = models.CharField(
        _("legal limit basis"), max_length=1, choices=LimitBasis.choices,
        default=LimitBasis.ESTIMATE,
    )
    promised_limit = models.PositiveSmallIntegerField(_("promised time limit"))
    promised_limit_unit = models.CharField(
        _("promised limit unit"), max_length=16, choices=LimitUnit.choices,
        default=LimitUnit.WORKING_DAY,
    )
    promised_limit_basis = models.CharField(
        _("promised limit basis"), max_length=1, choices=LimitBasis.choices,
        default=LimitBasis.ESTIMATE,
    )
    limit_note = models.CharField(_("note on time limits"), max_length=255, blank=True)
    prerequisites = models.ManyToManyField(
        "self", verbose_name=_("runs after"), symmetrical=False, blank=True,
        related_name="followers",
    )
    sequence_note = models.CharField(_("sequence (as published)"), max_length=128, blank=True)
    parallel_group = models.CharField(_("parallel group"), max_length=32, blank=True)
    applicability_note = models.CharField(_("applies to"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["stage__code", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class MatterMaterial(models.Model):
    """A material the applicant must provide for a matter."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("name"), max_length=128)
    is_required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")
        ordering = ["matter", "position"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "name"], name="material_unique_name"),
        ]

    def __str__(self):
        return self.name


class DefaultItem(ChoiceLabelsMixin, models.Model):
    """A matter in a category's default item set: the plan generator's starting point."""

    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="default_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    condition_note = models.CharField(_("condition"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("default item")
        verbose_name_plural = _("default items")
        ordering = ["category", "position"]
        constraints = [
            models.UniqueConstraint(fields=["category", "matter"], name="default_item_unique"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.matter}"
