from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from bangban.catalog.models import DefaultItem, LimitUnit, Matter, MatterMaterial, Stage


def _limit(value, unit, basis):
    if value is None:
        return "—"
    return f"{value} {LimitUnit(unit).label} ({basis})"


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "matter_count"]
    ordering = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(matter_count=Count("matters"))

    @admin.display(description=_("matters"), ordering="matter_count")
    def matter_count(self, stage):
        return stage.matter_count


class MatterMaterialInline(admin.TabularInline):
    model = MatterMaterial
    fields = ["position", "name", "is_required"]
    extra = 0


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "stage",
        "department_kind",
        "legal",
        "promised",
        "parallel_group",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "stage",
        "department_kind",
        "legal_limit_basis",
        "promised_limit_basis",
        "is_active",
    ]
    list_select_related = ["stage"]
    search_fields = ["code", "name"]
    filter_horizontal = ["prerequisites"]
    inlines = [MatterMaterialInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "stage", "is_active"]}),
        (_("Department"), {"fields": ["department_kind", "department_note"]}),
        (
            _("Time limits"),
            {
                "fields": [
                    ("legal_limit", "legal_limit_unit", "legal_limit_basis"),
                    ("promised_limit", "promised_limit_unit", "promised_limit_basis"),
                    "limit_note",
                ]
            },
        ),
        (
            _("Sequence and applicability"),
            {"fields": ["prerequisites", "sequence_note", "parallel_group", "applicability_note"]},
        ),
    ]

    @admin.display(description=_("legal time limit"), ordering="legal_limit")
    def legal(self, matter):
        return _limit(matter.legal_limit, matter.legal_limit_unit, matter.legal_limit_basis)

    @admin.display(description=_("promised time limit"), ordering="promised_limit")
    def promised(self, matter):
        return _limit(
            matter.promised_limit, matter.promised_limit_unit, matter.promised_limit_basis
        )


@admin.register(DefaultItem)
class DefaultItemAdmin(admin.ModelAdmin):
    list_display = ["category", "position", "matter", "condition_note"]
    list_display_links = ["matter"]
    list_filter = ["category"]
    list_select_related = ["matter"]
    ordering = ["category", "position"]
    search_fields = ["matter__code", "matter__name"]
    autocomplete_fields = ["matter"]
