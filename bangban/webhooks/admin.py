"""Webhooks in the admin: endpoints (created, changed, given a new secret and deactivated
through the services) and their deliveries (read-only; failed ones can be sent again)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from bangban.notifications.admin import OutboxAdmin, send_again_action
from bangban.webhooks import services
from bangban.webhooks.events import EVENT_CHOICES
from bangban.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"), widget=forms.CheckboxSelectMultiple,
        help_text=_("A group with * covers every event it matches, also events added later. "
                    "See docs/webhooks.md for the payload of each event."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "agency", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form so the labels are in the administrator's language.
        self.fields["events"].choices = [(name, f"{label} ({name})")
                                         for name, label in EVENT_CHOICES]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "agency", "is_active", "updated_at"]
    list_filter = ["is_active"]
    list_select_related = ["agency"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "created_at", "updated_at"]
    actions = ["rotate_secret", "deactivate"]

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "agency", "is_active"]
        return fields if obj is None else [*fields, "secret", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        if change:
            services.update_endpoint(endpoint=obj, by=request.user, **values)
            return
        created = services.create_endpoint(by=request.user, **values)
        obj.pk, obj.secret = created.pk, created.secret
        self.message_user(request, _(
            "Give the receiving system this signing secret (also shown on the endpoint's "
            "page): %(secret)s") % {"secret": created.secret}, messages.WARNING)

    @admin.action(description=_("Give the selected endpoints a new signing secret"),
                  permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = services.rotate_secret(endpoint=endpoint, by=request.user)
            self.message_user(request, _("New signing secret of %(name)s: %(secret)s")
                              % {"name": endpoint.name, "secret": secret}, messages.WARNING)

    @admin.action(description=_("Deactivate the selected endpoints"), permissions=["change"])
    def deactivate(self, request, queryset):
        for endpoint in queryset:
            services.deactivate_endpoint(endpoint=endpoint, by=request.user)
        self.message_user(request, ngettext(
            "%(count)d endpoint deactivated.", "%(count)d endpoints deactivated.",
            len(queryset)) % {"count": len(queryset)}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OutboxAdmin):
    """Every webhook delivery with its state."""

    list_display = ["created_at", "event", "endpoint", "case", "state", "attempts",
                    "response_status", "next_attempt_at", "sent_at"]
    list_filter = ["state", "endpoint", "event"]
    list_select_related = ["endpoint", "case"]
    search_fields = ["case__number", "event", "delivery_id", "last_error"]
    fields = ["delivery_id", "endpoint", "event", "case", "ledger_entry", "body", "state",
              "attempts", "next_attempt_at", "claimed_until", "response_status", "last_error",
              "sent_at", "created_at"]
    readonly_fields = fields
    send_again = send_again_action(
        requeue=lambda rows, by: services.resend_deliveries(deliveries=rows, by=by),
        description=_("Send the selected failed deliveries again"),
        queued=ngettext_lazy("%(count)d delivery will be sent again.",
                             "%(count)d deliveries will be sent again.", "count"),
        left_alone=ngettext_lazy(
            "%(count)d delivery was left alone: only failed deliveries are sent again.",
            "%(count)d deliveries were left alone: only failed deliveries are sent again.",
            "count"),
    )
