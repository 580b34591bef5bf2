from django.contrib import admin

from bangban.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications are written by `notify`; the admin shows them for support questions."""

    list_display = ["subject", "recipient", "event", "case", "created_at", "read_at"]
    list_filter = ["event", "read_at"]
    list_select_related = ["recipient", "case"]
    search_fields = ["subject", "recipient__username", "recipient__full_name", "case__number"]
    date_hierarchy = "created_at"
    fields = ["recipient", "case", "event", "subject", "body", "created_at", "read_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
