from django.contrib import admin

from bangban.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, pruned only by the retention job."""

    list_display = ["at", "kind", "username", "client_ip", "path", "object_description"]
    list_filter = ["kind"]
    search_fields = ["username", "path", "object_description"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
