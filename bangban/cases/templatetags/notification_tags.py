"""`{% load notification_tags %}{% unread_notifications as count %}` for the navigation bar."""

from django import template

from bangban.notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
