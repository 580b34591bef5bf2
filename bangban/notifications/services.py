from django.db import transaction

from bangban.notifications.models import Notification


def notify(*, recipients, event, subject, body="", case=None):
    """Queues an in-app message to each recipient, written only if the caller's transaction commits."""
    recipient_ids = sorted({user.pk for user in recipients if user is not None})
    if not recipient_ids:
        return

    def write():
        Notification.objects.bulk_create(
            Notification(recipient_id=pk, case=case, event=event, subject=str(subject),
                         body=str(body))
            for pk in recipient_ids
        )

    transaction.on_commit(write)
