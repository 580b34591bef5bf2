from django.contrib import admin

from bangban.core.admin import ViewOnlyAdminMixin
from bangban.supervision.models import SupervisionNotice, SupervisionPolicy


@admin.register(SupervisionPolicy)
class SupervisionPolicyAdmin(admin.ModelAdmin):
    list_display = ("agency", "notice_response_days", "escalated_response_days", "auto_refer",
                    "referral_body")
    list_select_related = ("agency",)


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: notices change only through their services (the notice page, the scan)."""

    list_display = ("number", "case", "item", "department", "level", "state", "response_due")
    list_filter = ("level", "state")
    list_select_related = ("case__project", "item__matter", "department")
    search_fields = ("number", "case__number")
