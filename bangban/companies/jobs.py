"""Worker job: forget registration requests once they can no longer be used.

A request holds a password hash and the registrant's details; after `REGISTRATION_VALID_FOR`
it can neither be verified nor count towards an address's hourly limit, so it is deleted,
completed or not. One DELETE, safe to run from any number of workers at once.
"""

from django.utils import timezone

from bangban.companies.models import RegistrationRequest
from bangban.companies.services import REGISTRATION_VALID_FOR


def purge_registration_requests(now=None):
    now = now or timezone.now()
    deleted, _ = RegistrationRequest.objects.filter(
        created_at__lt=now - REGISTRATION_VALID_FOR
    ).delete()
    return deleted
