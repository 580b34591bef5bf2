"""Writing notifications: the in-app message and the outbox rows for e-mail and SMS.

`notify` writes everything in the caller's transaction, so a message exists exactly when the
change it reports was committed: rolled back together, or committed together and then
delivered by the worker (`bangban.notifications.delivery`), however often it has to retry.
"""

import contextlib
import contextvars
import logging
import re
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from bangban.notifications.delivery import MESSAGES
from bangban.notifications.models import (
    Channel,
    Notification,
    NotificationTemplate,
    OutboxMessage,
)
from bangban.notifications.rendering import render

logger = logging.getLogger(__name__)

SUBJECT_MAX = 200
# Mainland mobile numbers, optionally with +86 / 86; separators are ignored.
MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")


def sms_number(phone):
    """The 11-digit mobile number in `phone`, or None when it is not a mobile number."""
    match = MOBILE.match(re.sub(r"[\s\-()]", "", phone or ""))
    return match.group(1) if match else None


def case_context(case):
    """Placeholder values every notification about `case` can use."""
    if case is None:
        return {}
    project = case.project
    specialist = case.specialist
    return {
        "case_number": case.number,
        "project_name": project.name,
        "company_name": project.company.name,
        "agency_name": case.agency.name,
        "agency_phone": case.agency.phone,
        "specialist_name": specialist.display_name if specialist else "",
        "specialist_phone": specialist.phone if specialist else "",
    }


def _rendered(template, context, subject, body):
    """(subject, body) from the template, or the caller's text where there is none."""
    if template is None:
        return subject, body
    return (render(template.subject, context).strip() or subject,
            render(template.body, context).strip())


_IN_APP_ONLY = contextvars.ContextVar("bangban_notifications_in_app_only", default=False)


@contextlib.contextmanager
def in_app_only():
    """Within this block notifications reach the inbox but no e-mail or SMS is queued: for
    history built by `demo_data`, whose phone numbers and addresses belong to nobody."""
    token = _IN_APP_ONLY.set(True)
    try:
        yield
    finally:
        _IN_APP_ONLY.reset(token)


def in_app_only_active():
    """Whether the caller is inside `in_app_only()`: for code that queues messages itself."""
    return _IN_APP_ONLY.get()


class Message(NamedTuple):
    """One notification to send with `notify_each`: the arguments of `notify`."""

    recipients: list
    event: str
    subject: str
    body: str = ""
    case: object = None
    context: dict | None = None


def notify(*, recipients, event, subject, body="", case=None, context=None):
    """Sends `event` to each recipient: in the app, by e-mail if they have an address and by
    SMS if they have a mobile number — written in the caller's transaction.

    The text comes from the event's active `NotificationTemplate` for each channel, filled in
    from the case, the recipient and `context` (extra placeholder values such as `item` or
    `reason`); without a template the given `subject` and `body` are used.
    """
    notify_each([Message(recipients, event, subject, body, case, context)])


def notify_each(messages):
    """`notify` for many messages at once (each with its own recipients and text): one query
    for the templates and one insert per table, whatever the number of messages."""
    messages = [message for message in messages if any(message.recipients)]
    if not messages:
        return
    templates = {}
    for template in NotificationTemplate.objects.filter(
            event__in={message.event for message in messages}, is_active=True):
        templates[template.event, template.channel] = template
    notifications, outgoing = [], []
    for message in messages:
        _write(message, templates, notifications, outgoing)
    now = timezone.now()
    for row in outgoing:
        row.next_attempt_at = now
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        OutboxMessage.objects.bulk_create(outgoing)


def _write(message, templates, notifications, outgoing):
    event, case = message.event, message.case
    users = sorted({user.pk: user for user in message.recipients if user is not None}.values(),
                   key=lambda user: user.pk)
    subject, body = str(message.subject), str(message.body)
    shared = {**case_context(case), "subject": subject, "body": body,
              **(message.context or {})}
    for user in users:
        values = {**shared, "recipient": user.display_name}
        in_app_subject, in_app_body = _rendered(templates.get((event, Channel.IN_APP)), values,
                                                subject, body)
        notifications.append(Notification(
            recipient=user, case=case, event=event, subject=in_app_subject[:SUBJECT_MAX],
            body=in_app_body,
        ))
        if _IN_APP_ONLY.get():
            continue
        if user.email:
            mail_subject, mail_body = _rendered(templates.get((event, Channel.EMAIL)), values,
                                                subject, body)
            outgoing.append(OutboxMessage(
                channel=Channel.EMAIL, event=event, recipient=user, case=case,
                address=user.email, subject=mail_subject[:SUBJECT_MAX], body=mail_body,
            ))
        mobile = sms_number(user.phone)
        if mobile:
            template = templates.get((event, Channel.SMS))
            text = (render(template.body, values).strip() if template
                    else "\n".join(part for part in (subject, body) if part))
            outgoing.append(OutboxMessage(
                channel=Channel.SMS, event=event, recipient=user, case=case, address=mobile,
                subject=subject[:SUBJECT_MAX], body=text,
            ))


def retry_messages(*, messages, by):
    """Sends failed messages (dead, or waiting for their next retry) again now, with a fresh
    set of attempts. Messages in any other state are left alone. Returns how many."""
    count = MESSAGES.requeue([message.pk for message in messages])
    logger.info("%s outgoing message(s) queued again by %s", count, by)
    return count


def mark_read(*, user, pk=None):
    """Marks the user's unread messages (or the one `pk`) as read. Only the recipient's own rows:
    someone else's id changes nothing."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    rows.update(read_at=timezone.now())
