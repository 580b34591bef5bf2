"""Notifications in the admin: the in-app messages and the outbox for support questions
(read-only; dead or waiting messages can be sent again), and the editable templates."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from bangban.core.admin import ViewOnlyAdminMixin
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


class OutboxAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """An outbox table (`OutboxDelivery`) for support questions: read-only, since rows change
    only through the worker and the "send again" action (see `send_again_action`), which
    needs the model's change permission."""

    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_retry_permission(self, request):
        return request.user.has_perm(
            f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")


def send_again_action(*, requeue, description, queued, left_alone):
    """The "send again" action of an `OutboxAdmin`: `requeue(rows, by)` calls the app's
    service function, which queues the failed rows among those selected again and returns
    how many; `queued` and `left_alone` (`ngettext_lazy` with the number as "count") tell the
    administrator how many were and were not."""

    @admin.action(description=description, permissions=["retry"])
    def send_again(modeladmin, request, queryset):
        count = requeue(queryset, request.user)
        skipped = queryset.count() - count
        modeladmin.message_user(request, queued % {"count": count}, messages.SUCCESS)
        if skipped:
            modeladmin.message_user(request, left_alone % {"count": skipped}, messages.WARNING)

    return send_again


@admin.register(OutboxMessage)
class OutboxMessageAdmin(OutboxAdmin):
    """Every e-mail and SMS with its delivery state."""

    list_display = ["created_at", "channel", "state", "event_name", "recipient", "address",
                    "case", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel", "event"]
    list_select_related = ["recipient", "case"]
    search_fields = ["address", "case__number", "recipient__username", "recipient__full_name",
                     "provider_message_id", "subject"]
    fields = ["channel", "event", "recipient", "address", "case", "subject", "body", "state",
              "attempts", "next_attempt_at", "claimed_until", "last_error", "sent_at",
              "provider_message_id", "idempotency_key", "created_at"]
    readonly_fields = fields
    send_again = send_again_action(
        requeue=lambda rows, by: services.retry_messages(messages=rows, by=by),
        description=_("Send the selected failed messages again"),
        queued=ngettext_lazy("%(count)d message will be sent again.",
                             "%(count)d messages will be sent again.", "count"),
        left_alone=ngettext_lazy(
            "%(count)d message was left alone: only failed messages are sent again.",
            "%(count)d messages were left alone: only failed messages are sent again.",
            "count"),
    )

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, obj):
        return event_label(obj.event)


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
