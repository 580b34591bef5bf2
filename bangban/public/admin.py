from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile

from bangban.public.models import ContactCard, ProgressQueryCode
from bangban.public.services import clean_photo


class ContactCardAdminForm(forms.ModelForm):
    class Meta:
        model = ContactCard
        fields = "__all__"

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            clean_photo(photo)
        return photo


@admin.register(ContactCard)
class ContactCardAdmin(admin.ModelAdmin):
    form = ContactCardAdminForm
    list_display = ("name", "staff_number", "title", "phone", "is_published")
    list_filter = ("is_published",)
    list_select_related = ("user",)
    search_fields = ("name", "staff_number", "user__username")
    autocomplete_fields = ("user",)


@admin.register(ProgressQueryCode)
class ProgressQueryCodeAdmin(admin.ModelAdmin):
    """Read-only: a code is issued, and reissued, by the case's specialist (ledger entry)."""

    list_display = ("project", "issued_by", "issued_at")
    list_select_related = ("project", "issued_by")
    search_fields = ("project__code", "project__name")
    exclude = ("code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
