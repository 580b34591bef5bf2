"""Writing notifications: the in-app message and the outbox rows for e-mail and SMS.

`notify` writes everything in the caller's transaction, so a message exists exactly when the
change it reports was committed: rolled back together, or committed together and then
delivered by the worker (`bangban.notifications.delivery`), however often it has to retry.
"""

import contextlib
import contextvars
import logging
import re

from django.db import transaction
from django.utils import timezone

from bangban.notifications.models import (
    Channel,
    Notification,
    NotificationTemplate,
    OutboxMessage,
    OutboxState,
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


def notify(*, recipients, event, subject, body="", case=None, context=None):
    """Sends `event` to each recipient: in the app, by e-mail if they have an address and by
    SMS if they have a mobile number — written in the caller's transaction.

    The text comes from the event's active `NotificationTemplate` for each channel, filled in
    from the case, the recipient and `context` (extra placeholder values such as `item` or
    `reason`); without a template the given `subject` and `body` are used.
    """
    users = sorted({user.pk: user for user in recipients if user is not None}.values(),
                   key=lambda user: user.pk)
    if not users:
        return
    subject, body = str(subject), str(body)
    templates = {
        template.channel: template
        for template in NotificationTemplate.objects.filter(event=event, is_active=True)
    }
    shared = {**case_context(case), "subject": subject, "body": body, **(context or {})}
    notifications, messages = [], []
    for user in users:
        values = {**shared, "recipient": user.display_name}
        in_app_subject, in_app_body = _rendered(templates.get(Channel.IN_APP), values,
                                                subject, body)
        notifications.append(Notification(
            recipient=user, case=case, event=event, subject=in_app_subject[:SUBJECT_MAX],
            body=in_app_body,
        ))
        if _IN_APP_ONLY.get():
            continue
        if user.email:
            mail_subject, mail_body = _rendered(templates.get(Channel.EMAIL), values,
                                                subject, body)
            messages.append(OutboxMessage(
                channel=Channel.EMAIL, event=event, recipient=user, case=case,
                address=user.email, subject=mail_subject[:SUBJECT_MAX], body=mail_body,
            ))
        mobile = sms_number(user.phone)
        if mobile:
            template = templates.get(Channel.SMS)
            text = (render(template.body, values).strip() if template
                    else "\n".join(part for part in (subject, body) if part))
            messages.append(OutboxMessage(
                channel=Channel.SMS, event=event, recipient=user, case=case, address=mobile,
                subject=subject[:SUBJECT_MAX], body=text,
            ))
    now = timezone.now()
    for message in messages:
        message.next_attempt_at = now
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        OutboxMessage.objects.bulk_create(messages)


def retry_messages(*, messages, by):
    """Sends failed messages (dead, or waiting for their next retry) again now, with a fresh
    set of attempts. Messages in any other state are left alone. Returns how many."""
    count = (
        OutboxMessage.objects.filter(
            pk__in=[message.pk for message in messages],
            state__in=[OutboxState.DEAD, OutboxState.RETRYING],
        ).update(state=OutboxState.PENDING, attempts=0, next_attempt_at=timezone.now(),
                 claimed_until=None, claim_token=None)
    )
    logger.info("%s outgoing message(s) queued again by %s", count, by)
    return count
