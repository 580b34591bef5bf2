"""Who may do what with the public pages' data, written down once: services check these and
pages ask them which buttons to show."""

from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import STAFF_ROLES, Role
from bangban.cases.workflow import CaseState

# A query code can be issued once the centre has taken the case on, and still afterwards: the
# company may want to show the finished progress to its investors.
QUERY_CODE_CASE_STATES = frozenset({CaseState.ACCEPTED, CaseState.PLANNED,
                                    CaseState.IN_PROGRESS, CaseState.SUSPENDED,
                                    CaseState.COMPLETED})
# The most specific role first: the ledger names it.
QUERY_CODE_ISSUERS = (Role.SPECIALIST, Role.CHIEF_SPECIALIST)
# Those who may read the code on the case page: the company, to pass it on, and its issuers.
QUERY_CODE_READERS = frozenset({Role.APPLICANT, *QUERY_CODE_ISSUERS})
# The public progress page reads the project's latest case in one of these states.
PUBLIC_CASE_STATES = QUERY_CODE_CASE_STATES | {CaseState.TERMINATED}
# Anyone working at an agency may publish a contact card.
CARD_ROLES = frozenset(STAFF_ROLES)
DIRECTORY_ROLES = (Role.CHIEF_SPECIALIST, Role.SPECIALIST, Role.DEPARTMENT_REPRESENTATIVE)

LEDGER_LABELS = {
    "query_code_issued": _("Progress query code issued"),
}


def can_issue_query_code(case_state, roles):
    return case_state in QUERY_CODE_CASE_STATES and any(r in roles for r in QUERY_CODE_ISSUERS)


def can_read_query_code(roles):
    return bool(QUERY_CODE_READERS & set(roles))
