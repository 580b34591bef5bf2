from django.contrib import admin

from bangban.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Files enter the archive only through `store_document` (content checks, SHA-256, version);
    here an administrator can look them up and correct a title, nothing else."""

    list_display = ["title", "version", "kind", "case", "item", "size", "uploaded_by",
                    "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "item__matter", "uploaded_by"]
    search_fields = ["title", "original_name", "case__number", "sha256"]
    fields = ["title", "kind", "case", "item", "file", "original_name", "content_type", "size",
              "sha256", "version", "uploaded_by", "uploaded_at"]
    readonly_fields = [f for f in fields if f != "title"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
