"""Writes of the API: issuing and revoking tokens, and carrying out an approval system's item
event through the case services, once per event id."""

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.api import selectors
from bangban.api.models import ApiToken, InboundEvent
from bangban.api.scopes import SCOPES
from bangban.cases import services as case_services
from bangban.core.errors import InvalidTransition

KEY_PREFIX = "bb_"
# last_used_at is a hint for administrators, not an audit trail: writing it on every request
# would turn each read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its hash is stored


@transaction.atomic
def create_api_token(*, user, name, scopes, by=None, expires_at=None) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the system that uses the token.")})
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise ValidationError({"scopes": _("Choose scopes among: %(scopes)s.")
                               % {"scopes": ", ".join(SCOPES)}})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if not user.is_active:
        raise ValidationError({"user": _("The user is not active.")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, user=user, key_hash=selectors.hash_key(key),
                     prefix=key[:10], scopes=scopes, expires_at=expires_at, created_by=by)
    token.full_clean()
    token.save()
    return IssuedToken(token=token, key=key)


def revoke_api_token(*, token, by=None) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def touch_api_token(token, now=None):
    """Records that the token was used, at most once per LAST_USED_RESOLUTION."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# The events an approval system posts, each with the item service it calls and the fields of
# the post that service takes (beyond item and by).
INBOUND_EVENTS = {
    "accepted": (case_services.accept_item, ()),
    "supplement_requested": (case_services.request_supplement, ("reason", "due_date")),
    "approved": (case_services.approve_item, ("result_number", "result_file")),
    "refused": (case_services.refuse_item, ("reason",)),
}


@dataclass(frozen=True)
class InboundOutcome:
    event: InboundEvent | None
    item: object
    replayed: bool


def process_inbound_event(*, by, project_code, matter_code, event, event_id="",
                          **fields) -> InboundOutcome:
    """Finds the item named by the codes and calls its service as `by`. With an `event_id`
    already processed for `by`, returns that first outcome and does nothing; a refused event
    is not recorded, so the system may post it again once the item is ready for it."""
    if event not in INBOUND_EVENTS:
        raise ValidationError({"event": _("Unknown event “%(event)s”.") % {"event": event}})
    first = selectors.processed_event(by, event_id)
    if first is not None:
        return InboundOutcome(event=first, item=first.item, replayed=True)
    item = selectors.item_for_inbound(by, project_code=project_code, matter_code=matter_code)
    service, names = INBOUND_EVENTS[event]
    arguments = {name: fields[name] for name in names if name in fields}
    try:
        with transaction.atomic():
            service(item=item, by=by, **arguments)
            item.refresh_from_db()
            record = None
            if event_id:
                record = InboundEvent.objects.create(user=by, event_id=event_id, event=event,
                                                     item=item, item_state=item.state)
    except (IntegrityError, InvalidTransition):
        # Two posts of the same id at once: the second waits for the first's lock on the item,
        # then finds the item moved on (InvalidTransition) or, had it got that far, the id
        # taken (the unique constraint); either way it changed nothing and answers as a replay.
        first = selectors.processed_event(by, event_id)
        if first is None:
            raise
        return InboundOutcome(event=first, item=first.item, replayed=True)
    return InboundOutcome(event=record, item=item, replayed=False)
