from django.db.models import Q

from bangban.accounts.agency_tree import agency_ids_upwards
from bangban.webhooks.models import WebhookEndpoint


def endpoints_for_case(case):
    """The active endpoints that may receive events of `case`: those for every agency and
    those of its agency or an agency above it. One query (the case's agency is usually
    loaded already)."""
    return list(
        WebhookEndpoint.objects.filter(is_active=True)
        .filter(Q(agency__isnull=True) | Q(agency_id__in=agency_ids_upwards(case.agency)))
        .only("pk", "events")
    )

