from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangban.api import services
from bangban.api.models import ApiToken, InboundEvent
from bangban.api.scopes import SCOPES
from bangban.core.admin import ViewOnlyAdminMixin


class ApiTokenCreationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=list(SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ("name", "user", "scopes", "expires_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created through the service (the key is shown once, in a message) and can
    only be revoked afterwards."""

    list_display = ("name", "user", "prefix", "scopes", "expires_at", "revoked_at",
                    "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("name", "user", "prefix", "scopes", "expires_at", "revoked_at",
                       "last_used_at", "created_by", "created_at")
    actions = ["revoke"]
    autocomplete_fields = ("user",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ApiTokenCreationForm.Meta.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        issued = services.create_api_token(
            user=form.cleaned_data["user"], name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"], expires_at=form.cleaned_data["expires_at"],
            by=request.user)
        obj.pk = issued.token.pk
        messages.warning(request, gettext(
            "The key of the token “%(name)s” is shown only now; copy it: %(key)s")
            % {"name": issued.token.name, "key": issued.key})

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_api_token(token=token, by=request.user)


@admin.register(InboundEvent)
class InboundEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event_id", "event", "item", "item_state", "user", "processed_at")
    list_select_related = ("item__matter", "user")
    search_fields = ("event_id",)
