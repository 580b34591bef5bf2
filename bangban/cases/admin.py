"""Cases in the admin are for reference and for correcting descriptive text.

Every state change goes through `bangban.cases.services`, which checks the role and the
workflow and writes the ledger. So here the state, the responsible specialist, the decision
fields and their times are read-only, nothing is added or deleted, and the ledger, the
agreements and the supplement requests (records of actions) are view-only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bangban.cases.models import Agreement, Case, CaseItem, LedgerEntry, SupplementRequest
from bangban.core.admin import ViewOnlyAdminMixin


class NoAddOrDeleteMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseItemInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = CaseItem
    extra = 0
    fields = ["position", "matter", "department", "state", "promised_limit", "limit_unit",
              "planned_start", "planned_end"]
    readonly_fields = fields
    show_change_link = True


class LedgerEntryInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = ["at", "actor", "actor_role", "action", "item", "from_state", "to_state", "reason"]
    readonly_fields = fields
    ordering = ["at", "pk"]


CASE_WORKFLOW_FIELDS = [
    "number", "agency", "project", "company_contact", "created_by", "state",
    "suspended_from_state", "specialist", "rejection_reason", "suspension_reason",
    "termination_reason", "submitted_at", "decided_at", "plan_published_at", "handover_method",
    "handover_tracking_number", "handed_over_at", "completed_at", "completion_confirmed_by",
    "created_at", "updated_at",
]


@admin.register(Case)
class CaseAdmin(NoAddOrDeleteMixin, admin.ModelAdmin):
    list_display = ["number", "project", "agency", "state", "specialist", "mode", "scope",
                    "created_at"]
    list_filter = ["state", "mode", "scope", "agency"]
    list_select_related = ["project", "agency", "specialist"]
    search_fields = ["number", "project__name", "project__company__name"]
    date_hierarchy = "created_at"
    readonly_fields = CASE_WORKFLOW_FIELDS
    fieldsets = [
        (None, {"fields": [
            "number", "agency", "project", "company_contact", "created_by", "state",
            "suspended_from_state", "specialist",
        ]}),
        (_("Application"), {"fields": [
            "mode", "scope", "requested_stages", "requested_matters", "requested_items_note",
            "project_summary", "target_completion_date", "handler_opinion", "leader_instruction",
        ]}),
        (_("Decisions and dates"), {"fields": [
            "rejection_reason", "suspension_reason", "termination_reason", "submitted_at",
            "decided_at", "plan_published_at", "handover_method", "handover_tracking_number",
            "handed_over_at", "completed_at", "completion_confirmed_by", "created_at",
            "updated_at",
        ]}),
    ]
    filter_horizontal = ["requested_stages", "requested_matters"]
    inlines = [CaseItemInline, LedgerEntryInline]


@admin.register(CaseItem)
class CaseItemAdmin(NoAddOrDeleteMixin, admin.ModelAdmin):
    list_display = ["matter", "case", "department", "state", "promised_limit", "planned_end"]
    list_filter = ["state", "department__kind"]
    list_select_related = ["matter", "case__project", "department"]
    search_fields = ["case__number", "matter__name", "department__name"]
    readonly_fields = [
        "case", "matter", "department", "state", "pushed_at", "accepted_at", "decided_at",
        "result_number", "result_document", "refusal_reason", "withdrawal_reason",
        "created_at", "updated_at",
    ]
    fields = [
        "case", "matter", "department", "state", "position", "promised_limit", "limit_unit",
        "materials", "planned_start", "planned_end", "accepted_with_gaps", "commitment_based",
        "pushed_at", "accepted_at", "decided_at", "result_number", "result_document",
        "refusal_reason", "withdrawal_reason", "created_at", "updated_at",
    ]


@admin.register(Agreement)
class AgreementAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "signed_on", "recorded_by", "created_at"]
    list_select_related = ["case__project", "recorded_by"]
    search_fields = ["case__number"]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["item", "due_date", "requested_by", "created_at", "supplied_at"]
    list_select_related = ["item__matter", "requested_by"]
    search_fields = ["item__case__number", "reason"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "case", "item", "actor", "actor_role", "action", "from_state",
                    "to_state"]
    list_filter = ["action", "actor_role"]
    list_select_related = ["case__project", "item__matter", "actor"]
    search_fields = ["case__number", "reason"]
    date_hierarchy = "at"
