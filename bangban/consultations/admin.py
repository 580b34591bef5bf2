from django.contrib import admin

from bangban.consultations.models import Consultation


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["asked_at", "agency", "channel", "asker_name", "state", "first_responder"]
    list_filter = ["channel", "state", "agency"]
    search_fields = ["asker_name", "asker_company_name", "question"]
    raw_id_fields = ["company", "company_contact", "project", "case"]
    readonly_fields = ["first_responder", "answered_by", "converted_by"]
