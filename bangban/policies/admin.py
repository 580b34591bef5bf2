from django.contrib import admin
from django.db import models

from bangban.core.admin import ViewOnlyAdminMixin
from bangban.policies.models import CasePolicy, Policy, PolicyTag


@admin.register(PolicyTag)
class PolicyTagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "issuing_body", "document_number", "issued_on", "valid_until",
                    "is_published")
    list_filter = ("is_published", "tags", "issuing_body")
    search_fields = ("title", "summary", "document_number", "issuing_body")
    filter_horizontal = ("tags",)
    # A link typed without a scheme is https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    date_hierarchy = "issued_on"


@admin.register(CasePolicy)
class CasePolicyAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: links change through the case's policy page, which writes the ledger."""

    list_display = ("case", "policy", "added_by", "created_at")
    list_select_related = ("case__project", "policy", "added_by")
    search_fields = ("case__number", "policy__title")
