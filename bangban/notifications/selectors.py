"""Read queries for the delivery page of a case: which messages went out, and how far each got."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.audit.masking import mask_phone
from bangban.cases.selectors import cases_visible_to
from bangban.notifications.models import Channel, Notification, OutboxMessage

# Who sees a case's deliveries, and who of them sees the addresses in full (to call or write
# to someone whose message failed); the others see them masked (SPEC §13).
ROLES_SEEING_DELIVERIES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR})
ROLES_SEEING_ADDRESSES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST})


def case_for_deliveries(user, pk):
    """(case, show_full_addresses) — 404 when the case is not visible, 403 when the user
    sees the case but is not among its service staff."""
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    roles = case_roles(user, case)
    if not roles & ROLES_SEEING_DELIVERIES:
        raise PermissionDenied
    return case, bool(roles & ROLES_SEEING_ADDRESSES)


def mask_email(address):
    name, at, domain = (address or "").partition("@")
    if not at:
        return "*" * len(name)
    return f"{name[:1]}***@{domain}"


def mask_address(channel, address):
    return mask_phone(address) if channel == Channel.SMS else mask_email(address)


def outbox_of_case(case):
    return (
        OutboxMessage.objects.filter(case=case)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )


def in_app_of_case(case):
    return (
        Notification.objects.filter(case=case)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )


def notifications_of(user):
    """The user's own in-app messages, the newest first."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("case__project")
        .order_by("-created_at", "-pk")
    )
