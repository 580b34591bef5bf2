"""The in-app inbox: a user's notifications, newest first, and marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangban.cases.views import paginate
from bangban.notifications.models import Notification


def _notifications_of(user):
    return (
        Notification.objects.filter(recipient=user)
        .select_related("case__project")
        .order_by("-created_at", "-pk")
    )


@login_required
def inbox(request):
    notifications = _notifications_of(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return render(request, "notifications/inbox.html", {
        "page": paginate(request, notifications),
        "unread_only": unread_only,
        "unread_count": _notifications_of(request.user).filter(read_at__isnull=True).count(),
    })


def _mark_read(user, **filters):
    # Only the recipient's own unread rows: someone else's id changes nothing.
    Notification.objects.filter(recipient=user, read_at__isnull=True, **filters).update(
        read_at=timezone.now()
    )


@login_required
@require_POST
def mark_read(request, pk):
    _mark_read(request.user, pk=pk)
    notification = _notifications_of(request.user).filter(pk=pk).first()
    if request.POST.get("open") and notification is not None and notification.case_id:
        return redirect("cases:detail", pk=notification.case_id)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    _mark_read(request.user)
    return redirect("notifications:inbox")
