"""Reading the agency tree (市 → 县/区): agencies nest by path, e.g. /1/4/."""

from django.db.models import Q


def agency_ids_upwards(agency):
    """The agency's id and its ancestors' ids, nearest first."""
    path = agency.path or f"/{agency.pk}/"
    return [int(part) for part in reversed(path.strip("/").split("/")) if part]


def nearest_policy(policy_model, agency, default):
    """An agency setting (supervision, problem, evaluation policy …) in force at `agency`: its
    own row, else its nearest ancestor's, else `default()` — an unsaved row of the defaults.
    One query."""
    ids = agency_ids_upwards(agency)
    policies = {p.agency_id: p for p in policy_model.objects.filter(agency_id__in=ids)}
    return next((policies[pk] for pk in ids if pk in policies), None) or default()


def agencies_under(paths):
    """The agencies at or below any of `paths`, in tree order; none for no paths."""
    from bangban.accounts.models import Agency

    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return Agency.objects.filter(condition).order_by("path")
