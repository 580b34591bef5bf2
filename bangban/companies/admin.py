from django.contrib import admin

from bangban.companies.models import Company, CompanyContact


class CompanyContactInline(admin.TabularInline):
    model = CompanyContact
    extra = 0
    fields = ["name", "phone", "email", "position", "is_representative", "is_administrator",
              "user"]
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "legal_representative", "phone"]
    search_fields = ["name", "credit_code"]
    fields = ["name", "credit_code", "legal_representative", "address", "phone"]
    inlines = [CompanyContactInline]


@admin.register(CompanyContact)
class CompanyContactAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "phone", "position", "is_representative",
                    "is_administrator", "user"]
    list_select_related = ["company", "user"]
    search_fields = ["name", "phone", "company__name"]
    autocomplete_fields = ["company", "user"]
