from django.contrib import admin

from bangban.audit.models import AuditEvent
from bangban.core.admin import ViewOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is append-only, pruned only by the retention job."""

    list_display = ["at", "kind", "username", "client_ip", "path", "object_description"]
    list_filter = ["kind"]
    search_fields = ["username", "path", "object_description"]
    date_hierarchy = "at"
