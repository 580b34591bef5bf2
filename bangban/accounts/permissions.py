"""Who holds which role towards a case or an item (SPEC §1).

Roles are relative: a user is *the* specialist of a case, a chief or supervisor of the case's
agency or an agency above it, a contact of the case's company, or the representative of the
department an item was pushed to. Memberships are read once per request and cached on the user.
"""

from bangban.accounts.models import Membership, Role

# A department sees an item only once it has been pushed to it.
ITEM_STATES_VISIBLE_TO_DEPARTMENT = frozenset(
    {"pushed", "accepted", "supplement_requested", "approved", "refused"}
)


def memberships_of(user):
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_bangban_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("agency", "department"))
        user._bangban_memberships = cached
    return cached


def company_ids_of(user):
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_bangban_company_ids", None)
    if cached is None:
        # Unordered: the contacts' ordering would join every company for nothing.
        cached = frozenset(
            user.company_contacts.order_by().values_list("company_id", flat=True))
        user._bangban_company_ids = cached
    return cached


def forget_cached_roles(user):
    for attribute in ("_bangban_memberships", "_bangban_company_ids"):
        user.__dict__.pop(attribute, None)


def roles_of_user(user):
    """Every role the user holds anywhere (drives the workbench sections)."""
    roles = {Role(m.role) for m in memberships_of(user)}
    if company_ids_of(user):
        roles.add(Role.APPLICANT)
    return frozenset(roles)


def agency_paths_for(user, role):
    return [m.agency.path for m in memberships_of(user) if m.role == role]


def department_ids_for(user):
    return frozenset(
        m.department_id for m in memberships_of(user)
        if m.role == Role.DEPARTMENT_REPRESENTATIVE
    )


def _covers(paths, agency):
    return any(agency.path.startswith(path) for path in paths)


def case_roles(user, case):
    if not user.is_authenticated:
        return frozenset()
    roles = set()
    if case.project.company_id in company_ids_of(user):
        roles.add(Role.APPLICANT)
    if case.specialist_id == user.pk:
        roles.add(Role.SPECIALIST)
    for role in (Role.CHIEF_SPECIALIST, Role.SUPERVISOR):
        if _covers(agency_paths_for(user, role), case.agency):
            roles.add(role)
    return frozenset(roles)


def item_roles(user, item, roles_on_case=None):
    """The user's roles on the item; `roles_on_case`: their case_roles on its case, when known
    already (a page of the case's items asks once)."""
    roles = set(case_roles(user, item.case) if roles_on_case is None else roles_on_case)
    if item.department_id in department_ids_for(user) and (
        item.state in ITEM_STATES_VISIBLE_TO_DEPARTMENT
    ):
        roles.add(Role.DEPARTMENT_REPRESENTATIVE)
    return frozenset(roles)
