"""The in-app inbox (a user's notifications, newest first, marking them read) and, for the
case's service staff, the delivery state of every message sent about a case."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bangban.core.views import paginate
from bangban.notifications import selectors, services
from bangban.notifications.events import event_label
from bangban.notifications.models import OutboxState

STATE_BADGES = {
    OutboxState.PENDING: "text-bg-secondary",
    OutboxState.SENDING: "text-bg-info",
    OutboxState.SENT: "text-bg-success",
    OutboxState.RETRYING: "text-bg-warning",
    OutboxState.DEAD: "text-bg-danger",
}


@login_required
def inbox(request):
    everything = selectors.notifications_of(request.user)
    notifications = everything
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return render(request, "notifications/inbox.html", {
        "page": paginate(request, notifications),
        "unread_only": unread_only,
        "unread_count": everything.filter(read_at__isnull=True).count(),
    })


@login_required
@require_POST
def mark_read(request, pk):
    services.mark_read(user=request.user, pk=pk)
    notification = selectors.notifications_of(request.user).filter(pk=pk).first()
    if request.POST.get("open") and notification is not None and notification.case_id:
        return redirect("cases:detail", pk=notification.case_id)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def case_messages(request, pk):
    """Every e-mail and SMS sent about the case with its delivery state, and who has read
    the in-app messages. Addresses are masked for supervisors."""
    case, full_addresses = selectors.case_for_deliveries(request.user, pk)
    outbox = paginate(request, selectors.outbox_of_case(case), param="page")
    outbox.object_list = list(outbox.object_list)
    for message in outbox.object_list:
        message.shown_address = (message.address if full_addresses
                                 else selectors.mask_address(message.channel, message.address))
        message.event_label = event_label(message.event)
        message.state_badge = STATE_BADGES.get(message.state, "text-bg-light")
    in_app = paginate(request, selectors.in_app_of_case(case), param="in_app_page")
    in_app.object_list = list(in_app.object_list)
    for notification in in_app.object_list:
        notification.event_label = event_label(notification.event)
    return render(request, "notifications/case_messages.html", {
        "case": case, "outbox": outbox, "in_app": in_app,
    })
