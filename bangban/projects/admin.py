from django.contrib import admin

from bangban.projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "company", "agency", "category", "investment_type",
                    "is_key_project"]
    list_filter = ["category", "investment_type", "is_key_project", "agency"]
    list_select_related = ["company", "agency"]
    search_fields = ["name", "code", "company__name"]
    autocomplete_fields = ["company", "agency"]
