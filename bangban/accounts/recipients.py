"""Who is told: the active users who hold a role around an agency, a department or a company,
for `notify`. One place, so every app reaches the same people."""

from bangban.accounts.models import Membership, Role


def ancestor_paths(agency):
    """The paths of `agency` and of every agency above it (agencies nest by path, /1/4/)."""
    return [agency.path[: i + 1] for i, char in enumerate(agency.path) if char == "/"]


def staff_with_role_over(agency, role):
    """Active users holding `role` at `agency` or an agency above it."""
    return [
        membership.user
        for membership in Membership.objects.filter(
            role=role, agency__path__in=ancestor_paths(agency), user__is_active=True
        ).select_related("user")
    ]


def department_representatives(department_id):
    """The active representatives (首席事务代表) of a department."""
    return [
        membership.user
        for membership in Membership.objects.filter(
            role=Role.DEPARTMENT_REPRESENTATIVE, department_id=department_id,
            user__is_active=True,
        ).select_related("user")
    ]


def company_users(company_id):
    """The active accounts of a company's contacts."""
    from bangban.companies.models import CompanyContact

    return [
        contact.user
        for contact in CompanyContact.objects.filter(
            company_id=company_id, user__is_active=True
        ).select_related("user")
    ]


def case_company_users(case):
    """The active accounts of the contacts of the case's company."""
    return company_users(case.project.company_id)
