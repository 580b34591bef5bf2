"""Case actions whose button depends on more than the state and the role (workflow.
CASE_ACTION_CONDITIONS): the case page offers such an action exactly when its service would do
it. Found by the main-journey browser test, where the company was offered "Confirm completion
sheet" while its items were still at the department, and the specialist "Generate plan" before
the agency agreement of an agent-mode case was recorded.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases import selectors, services
from bangban.cases.models import HandoverMethod, ServiceMode
from bangban.cases.workflow import CASE_ACTION_CONDITIONS, CaseFacts, CaseState, ItemState
from bangban.catalog.models import DefaultItem
from bangban.core.errors import DomainError
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

SERVICE_ARGUMENTS = {
    "record_agreement": lambda: dict(signed_on=datetime.date(2026, 1, 5),
                                     file=pdf_upload("agreement.pdf")),
    "generate_plan": dict,
    "record_handover": lambda: dict(method=HandoverMethod.MAIL, tracking_number="SF100200300"),
    "confirm_completion": dict,
}


class _Undo(Exception):
    pass


def service_succeeds(case, user, name):
    """Whether the action's service does it now; whatever it changed is rolled back."""
    try:
        with transaction.atomic():
            services.CASE_ACTION_SERVICES[name](case=case, by=user, **SERVICE_ARGUMENTS[name]())
            raise _Undo
    except _Undo:
        return True
    except (DomainError, ValidationError):
        return False


def offered(client, case, user):
    client.force_login(user)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    return set(re.findall(r'data-action="(\w+)"', html))


def assert_offered_exactly_when_possible(client, case, user, expected):
    shown = offered(client, case, user)
    for name in CASE_ACTION_CONDITIONS:
        assert (name in shown) == (name in expected), name
        assert service_succeeds(case, user, name) == (name in expected), name


def accepted_case(mode):
    case = CaseFactory(accepted=True, mode=mode)
    MembershipFactory(user=case.specialist, agency=case.agency, role=Role.SPECIALIST)
    matter = MatterFactory()
    DefaultItem.objects.create(category=case.project.category, matter=matter)
    DepartmentFactory(agency=case.agency, kind=matter.department_kind)
    return case


def record_agreement(case):
    services.record_agreement(case=case, by=case.specialist, signed_on=datetime.date(2026, 1, 5),
                              file=pdf_upload("agreement.pdf"))


def test_agent_mode_case_offers_the_agreement_first_then_the_plan(client):
    case = accepted_case(ServiceMode.AGENT)
    assert_offered_exactly_when_possible(client, case, case.specialist, {"record_agreement"})
    record_agreement(case)
    assert_offered_exactly_when_possible(client, case, case.specialist, {"generate_plan"})


def test_assist_mode_case_has_no_agreement_to_record(client):
    case = accepted_case(ServiceMode.ASSIST)
    assert_offered_exactly_when_possible(client, case, case.specialist, {"generate_plan"})


@pytest.fixture
def running_case():
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now())
    MembershipFactory(user=case.specialist, agency=case.agency, role=Role.SPECIALIST)
    item = CaseItemFactory(case=case, state=ItemState.PUSHED, pushed_at=timezone.now())
    CaseItemFactory(case=case, state=ItemState.WITHDRAWN, withdrawal_reason="企业自行办理")
    return case, item


def test_handover_and_completion_wait_for_every_item(client, running_case):
    case, _item = running_case
    assert_offered_exactly_when_possible(client, case, case.specialist, set())
    assert_offered_exactly_when_possible(client, case, case.company_contact.user, set())


def test_completion_waits_for_the_handover_and_is_signed_by_the_representative(
    client, running_case
):
    case, item = running_case
    item.state = ItemState.APPROVED
    item.save()
    assert_offered_exactly_when_possible(client, case, case.specialist, {"record_handover"})
    representative = case.company_contact.user
    assert_offered_exactly_when_possible(client, case, representative, set())

    case.handover_method = HandoverMethod.SELF_COLLECT
    case.handed_over_at = timezone.now()
    case.save()
    assert_offered_exactly_when_possible(client, case, representative, {"confirm_completion"})
    colleague = CompanyContactFactory(company=case.project.company, is_representative=False)
    assert_offered_exactly_when_possible(client, case, colleague.user, set())


def test_a_closed_case_offers_none_of_them(client, running_case):
    case, item = running_case
    case.state = CaseState.COMPLETED
    case.save()
    for user in (case.specialist, case.company_contact.user):
        assert offered(client, case, user) & set(CASE_ACTION_CONDITIONS) == set()


def test_the_facts_of_a_fetched_case_cost_no_query(running_case, django_assert_num_queries):
    case, _item = running_case
    user = case.company_contact.user
    fetched = selectors.get_case_for(user, case.pk)
    with django_assert_num_queries(0):
        facts = selectors.case_facts(user, fetched)
    assert facts == CaseFacts(user_signs_for_company=True)
