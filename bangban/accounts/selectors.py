from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max


def lockout_ends_at(*, username, ip_address):
    """When the lockout of this user name at this address ends (None: not locked)."""
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return last + get_cool_off() if last else None
