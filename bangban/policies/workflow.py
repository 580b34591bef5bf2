"""When and by whom a policy may be placed in a case's service guide, written down once.

The guide is drafted once the application is accepted and stays editable while the case runs
(suspended included); a closed case's guide is history. Services check these, the pages ask
them whether to show the buttons.
"""

from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Role
from bangban.cases.workflow import CaseState

LINKABLE_CASE_STATES = frozenset({CaseState.ACCEPTED, CaseState.PLANNED, CaseState.IN_PROGRESS,
                                  CaseState.SUSPENDED})
# The most specific role first: the ledger names it.
LINKING_ROLES = (Role.SPECIALIST, Role.CHIEF_SPECIALIST)

LEDGER_LABELS = {
    "policy_linked": _("Policy added to the service guide"),
    "policy_unlinked": _("Policy removed from the service guide"),
}


def can_link_policies(case_state, roles):
    return case_state in LINKABLE_CASE_STATES and any(r in roles for r in LINKING_ROLES)
