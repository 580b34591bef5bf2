"""Placing policies in a case's service guide (专属办事指南) and taking them out again.

Each function runs in one transaction: it locks the case row (so two clicks cannot link the
same policy twice or race an unlink), checks the actor's role and the case's state against
`workflow.py`, changes the link, appends a ledger entry to the case and, for a new link, tells
the company.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from bangban.accounts.permissions import case_roles
from bangban.cases.models import Case
from bangban.cases.services import record_ledger
from bangban.companies.models import CompanyContact
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.services import notify
from bangban.policies.models import CasePolicy, Policy
from bangban.policies.workflow import LINKABLE_CASE_STATES, LINKING_ROLES


def _begin(case, by):
    case = (Case.objects.select_for_update(of=("self",))
            .select_related("agency", "project").get(pk=case.pk))
    roles = case_roles(by, case)
    role = next((r for r in LINKING_ROLES if r in roles), None)
    if role is None:
        raise NotAllowed(_("Only the case's specialist or a chief specialist can change the "
                           "policies of its service guide."))
    if case.state not in LINKABLE_CASE_STATES:
        raise InvalidTransition(
            _("The service guide cannot be changed while the case is “%(state)s”.")
            % {"state": case.get_state_display()})
    return case, role


def link_policy_to_case(*, case, policy, by, note=""):
    """Adds `policy` to the case's service guide; returns the new CasePolicy."""
    with transaction.atomic():
        case, role = _begin(case, by)
        if not Policy.objects.filter(pk=policy.pk, is_published=True).exists():
            raise InvalidTransition(_("This policy is no longer published."))
        if CasePolicy.objects.filter(case=case, policy=policy).exists():
            raise InvalidTransition(_("Already done: the policy is in the service guide."))
        link = CasePolicy(case=case, policy=policy, note=(note or "").strip(), added_by=by)
        link.full_clean()
        link.save()
        record_ledger(case=case, by=by, role=role, action="policy_linked",
                      from_state=case.state, to_state=case.state, reason=link.note,
                      policy=policy.pk, title=policy.title)
        notify(
            recipients=[c.user for c in CompanyContact.objects.filter(
                company_id=case.project.company_id, user__is_active=True).select_related("user")],
            case=case, event="policy_linked",
            subject=_("A policy was added to your service guide: %(title)s")
            % {"title": policy.title},
            body=link.note, context={"policy": policy.title},
        )
        return link


def unlink_policy_from_case(*, case, policy, by):
    """Takes `policy` out of the case's service guide; returns the removed CasePolicy."""
    with transaction.atomic():
        case, role = _begin(case, by)
        link = CasePolicy.objects.filter(case=case, policy=policy).first()
        if link is None:
            raise InvalidTransition(_("Already done: the policy is not in the service guide."))
        link.delete()
        record_ledger(case=case, by=by, role=role, action="policy_unlinked",
                      from_state=case.state, to_state=case.state,
                      policy=policy.pk, title=policy.title)
        return link
