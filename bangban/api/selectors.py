"""Reads of the API that the apps' own selectors do not already answer: the token behind a key,
the inbound event already processed under an id, and the item an approval system names by
project code and matter code."""

import hashlib

from django.http import Http404
from django.utils.translation import gettext as _

from bangban.api.models import ApiToken, InboundEvent
from bangban.cases.models import CaseItem
from bangban.cases.selectors import ITEM_LIST_RELATED, cases_visible_to
from bangban.cases.workflow import CLOSED_CASE_STATES, CaseState
from bangban.core.errors import InvalidTransition

# A case a department can still receive decisions for: accepted and not closed.
OPEN_CASE_STATES = frozenset(CaseState) - CLOSED_CASE_STATES - {
    CaseState.DRAFT, CaseState.SUBMITTED,
}


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def token_for_key(key):
    """The token of `key` with its user, or None (one query)."""
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


def processed_event(user, event_id):
    if not event_id:
        return None
    return InboundEvent.objects.filter(user=user, event_id=event_id).first()


def item_for_inbound(user, *, project_code, matter_code):
    """The item of `matter_code` in the open case of the project `project_code`, among the cases
    `user` sees. Http404 (with a message) when there is none, InvalidTransition when the project
    has several open cases with that matter, so the event cannot be placed."""
    cases = cases_visible_to(user).filter(project__code=project_code,
                                          state__in=OPEN_CASE_STATES)
    if not cases.exists():
        raise Http404(_("No open case of the project %(code)s that you may see.")
                      % {"code": project_code})
    items = list(CaseItem.objects.filter(case__in=cases.values("pk"), matter__code=matter_code)
                 .select_related(*ITEM_LIST_RELATED)[:2])
    if not items:
        raise Http404(_("The open case of the project %(project)s has no item %(matter)s.")
                      % {"project": project_code, "matter": matter_code})
    if len(items) > 1:
        raise InvalidTransition(
            _("The project %(project)s has several open cases with the item %(matter)s; "
              "it cannot be told which one is meant.")
            % {"project": project_code, "matter": matter_code})
    return items[0]
