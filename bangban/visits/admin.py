from django.contrib import admin

from bangban.visits.models import Activity, StatisticsReminder


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["held_on", "agency", "kind", "title", "participants_count", "recorded_by"]
    list_filter = ["kind", "agency"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["companies", "case"]
    readonly_fields = ["recorded_by"]


@admin.register(StatisticsReminder)
class StatisticsReminderAdmin(admin.ModelAdmin):
    list_display = ["agency", "year", "quarter", "due_on", "sent_at"]
    list_filter = ["year", "quarter"]
