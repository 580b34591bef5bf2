from django import template
from django.utils.html import format_html, format_html_join

from bangban.deadlines.selectors import schedule_warnings

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_warnings(context):
    """The missing-schedule warnings as admin messages, for those who may see the calendar."""
    request = context.get("request")
    if request is None or not request.user.has_perm("deadlines.view_calendarday"):
        return ""
    warnings = schedule_warnings()
    if not warnings:
        return ""
    return format_html(
        '<ul class="messagelist">{}</ul>',
        format_html_join("", '<li class="warning">{}</li>', ((w,) for w in warnings)),
    )
