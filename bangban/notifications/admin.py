"""Notifications in the admin: the in-app messages and the outbox for support questions
(read-only; dead or waiting messages can be sent again), and the editable templates."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bangban.notifications import services
from bangban.notifications.events import EVENT_LABELS, event_label
from bangban.notifications.models import Notification, NotificationTemplate, OutboxMessage
from bangban.notifications.rendering import placeholder_help


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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Every e-mail and SMS with its delivery state. Rows change only through the worker and
    the "send again" action (a service function)."""

    list_display = ["created_at", "channel", "state", "event_name", "recipient", "address",
                    "case", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel", "event"]
    list_select_related = ["recipient", "case"]
    search_fields = ["address", "case__number", "recipient__username", "recipient__full_name",
                     "provider_message_id", "subject"]
    date_hierarchy = "created_at"
    fields = ["channel", "event", "recipient", "address", "case", "subject", "body", "state",
              "attempts", "next_attempt_at", "claimed_until", "last_error", "sent_at",
              "provider_message_id", "idempotency_key", "created_at"]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, obj):
        return event_label(obj.event)

    @admin.action(description=_("Send the selected failed messages again"),
                  permissions=["retry"])
    def send_again(self, request, queryset):
        count = services.retry_messages(messages=queryset, by=request.user)
        skipped = queryset.count() - count
        self.message_user(request, ngettext(
            "%(count)d message will be sent again.",
            "%(count)d messages will be sent again.", count) % {"count": count},
            messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d message was left alone: only failed messages are sent again.",
                "%(count)d messages were left alone: only failed messages are sent again.",
                skipped) % {"count": skipped}, messages.WARNING)

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ["event", "channel", "subject", "body", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(name, f"{label} ({name})") for name, label in EVENT_LABELS.items()]
        current = self.instance.event
        if current and current not in EVENT_LABELS:
            choices.append((current, current))
        self.fields["event"] = forms.ChoiceField(label=_("event"), choices=choices)
        self.fields["body"].help_text = _("Placeholders: %(placeholders)s") % {
            "placeholders": placeholder_help()
        }


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ["event_name", "event", "channel", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "is_active", "event"]
    search_fields = ["event", "subject", "body"]

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, obj):
        return event_label(obj.event)
