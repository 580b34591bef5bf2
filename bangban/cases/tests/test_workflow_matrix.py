"""Walks every (state, action, role) triple of workflow.py through the real services.

An allowed triple must succeed and land in the table's target state; a forbidden one must raise
a DomainError and leave the state and the ledger exactly as they were.
"""

import datetime

import pytest
from django.utils import timezone

from bangban.accounts.models import DepartmentKind, Role
from bangban.accounts.permissions import ITEM_STATES_VISIBLE_TO_DEPARTMENT
from bangban.cases import services
from bangban.cases.models import (
    ClockPause,
    HandoverMethod,
    LedgerEntry,
    PauseAttribution,
    PauseCause,
    ServiceMode,
    SpecialProcedureKind,
    SuspensionReason,
)
from bangban.cases.models import TerminationReason
from bangban.cases.workflow import (
    CASE_ACTIONS,
    ITEM_ACTIONS,
    PREVIOUS_STATE,
    CaseState,
    ItemState,
)
from bangban.catalog.models import DefaultItem
from bangban.core.errors import DomainError
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    UserFactory,
    pdf_upload,
)

OUTSIDER = "outsider"
ROLES = [Role.APPLICANT, Role.SPECIALIST, Role.CHIEF_SPECIALIST,
         Role.DEPARTMENT_REPRESENTATIVE, Role.SUPERVISOR, OUTSIDER]


def _world(case_state, item_state, *, mode=ServiceMode.ASSIST, handed_over=False):
    specialist = UserFactory()
    case = CaseFactory(state=case_state, mode=mode, specialist=specialist,
                       suspended_from_state=CaseState.IN_PROGRESS
                       if case_state == CaseState.SUSPENDED else "")
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    if handed_over:
        case.handed_over_at = case.created_at
        case.save()
    item = CaseItemFactory(case=case, state=item_state)
    other_specialist = MembershipFactory(agency=case.agency, role=Role.SPECIALIST).user
    users = {
        Role.APPLICANT: case.company_contact.user,
        Role.SPECIALIST: specialist,
        Role.CHIEF_SPECIALIST: MembershipFactory(agency=case.agency,
                                                 role=Role.CHIEF_SPECIALIST).user,
        Role.DEPARTMENT_REPRESENTATIVE: MembershipFactory(
            agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
            department=item.department).user,
        Role.SUPERVISOR: MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user,
        OUTSIDER: UserFactory(),
    }
    return case, item, users, other_specialist


def _catalog_for(case):
    matter = MatterFactory(department_kind=DepartmentKind.DEVELOPMENT_REFORM)
    DefaultItem.objects.create(category=case.project.category, matter=matter)
    DepartmentFactory(agency=case.agency, kind=DepartmentKind.DEVELOPMENT_REFORM)


CASE_CALLS = {
    "edit_application": lambda c, i, o: dict(case=c, project_summary="补充项目简介"),
    "submit": lambda c, i, o: dict(case=c),
    "accept": lambda c, i, o: dict(case=c, specialist=o),
    "reject": lambda c, i, o: dict(case=c, reason="不属于帮办代办范围"),
    "record_agreement": lambda c, i, o: dict(case=c, signed_on=datetime.date(2026, 1, 5),
                                             file=pdf_upload("agreement.pdf")),
    "generate_plan": lambda c, i, o: dict(case=c),
    "edit_plan": lambda c, i, o: dict(item=i, promised_limit=3),
    "publish_plan": lambda c, i, o: dict(case=c),
    "log_contact": lambda c, i, o: dict(case=c, note="电话联系企业经办人"),
    "reassign_specialist": lambda c, i, o: dict(case=c, specialist=o, reason="工作调整"),
    "suspend": lambda c, i, o: dict(case=c, reason=SuspensionReason.COMPANY_REQUEST),
    "resume": lambda c, i, o: dict(case=c, note="中止原因已消除，双方协商一致"),
    "terminate": lambda c, i, o: dict(case=c, reason=TerminationReason.COMPANY_REQUEST),
    "record_handover": lambda c, i, o: dict(case=c, method=HandoverMethod.SELF_COLLECT),
    "confirm_completion": lambda c, i, o: dict(case=c),
}

ITEM_CALLS = {
    "start_preparing": lambda i: dict(item=i),
    "upload_material": lambda i: dict(item=i, file=pdf_upload(), title="申请表"),
    "pass_review": lambda i: dict(item=i),
    "return_to_preparing": lambda i: dict(item=i, reason="红线图缺拐点坐标"),
    "push": lambda i: dict(item=i),
    "accept": lambda i: dict(item=i),
    "request_supplement": lambda i: dict(item=i, reason="补充节能报告"),
    "supply_supplement": lambda i: dict(item=i, answer="已补充"),
    "approve": lambda i: dict(item=i, result_number="滨发改投资〔2026〕12号",
                              result_file=pdf_upload("result.pdf")),
    "refuse": lambda i: dict(item=i, reason="不符合产业政策"),
    "withdraw": lambda i: dict(item=i, reason="企业调整方案"),
    "start_special_procedure": lambda i: dict(item=i, kind=SpecialProcedureKind.EXPERT_REVIEW,
                                              reason="需组织专家评审"),
    "end_special_procedure": lambda i: dict(item=i, note="专家评审通过"),
    "extend": lambda i: dict(item=i, days=10, reason="情况复杂，经负责人批准延长"),
}


def _meet_item_conditions(name, item):
    """Brings the item's facts to what the action's condition (ITEM_ACTION_CONDITIONS) needs,
    so that the matrix tests the state and role alone; the conditions have their own tests."""
    if item.state in (ItemState.ACCEPTED, ItemState.SUPPLEMENT_REQUESTED):
        item.accepted_at = timezone.now()
        item.save()
    if name == "end_special_procedure":
        ClockPause.objects.create(item=item, cause=PauseCause.SPECIAL_PROCEDURE,
                                  kind=SpecialProcedureKind.TESTING,
                                  attributed_to=PauseAttribution.DEPARTMENT,
                                  started_at=timezone.now())


def _expected_case_state(action, state):
    if action.target == PREVIOUS_STATE:
        return CaseState.IN_PROGRESS
    return action.target or state


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("name", list(CASE_ACTIONS))
def test_case_action_matrix(name, state, role):
    action = CASE_ACTIONS[name]
    finishing = name in {"record_handover", "confirm_completion"}
    case, item, users, other = _world(
        state, ItemState.APPROVED if finishing else ItemState.PLANNED,
        mode=ServiceMode.AGENT if name == "record_agreement" else ServiceMode.ASSIST,
        handed_over=name == "confirm_completion",
    )
    if name == "generate_plan":
        _catalog_for(case)
    ledger_before = LedgerEntry.objects.filter(case=case).count()
    allowed = state in action.sources and role in action.roles
    call = services.CASE_ACTION_SERVICES[name]
    if allowed:
        call(by=users[role], **CASE_CALLS[name](case, item, other))
        case.refresh_from_db()
        assert case.state == _expected_case_state(action, state)
        assert LedgerEntry.objects.filter(case=case, action=name).exists()
    else:
        with pytest.raises(DomainError):
            call(by=users[role], **CASE_CALLS[name](case, item, other))
        case.refresh_from_db()
        assert case.state == state
        assert LedgerEntry.objects.filter(case=case).count() == ledger_before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(ItemState))
@pytest.mark.parametrize("name", list(ITEM_ACTIONS))
def test_item_action_matrix(name, state, role):
    action = ITEM_ACTIONS[name]
    case, item, users, _ = _world(CaseState.IN_PROGRESS, state)
    _meet_item_conditions(name, item)
    department_sees = state in ITEM_STATES_VISIBLE_TO_DEPARTMENT
    allowed = (
        state in action.sources
        and role in action.roles
        and (role != Role.DEPARTMENT_REPRESENTATIVE or department_sees)
    )
    ledger_before = LedgerEntry.objects.filter(case=case).count()
    call = services.ITEM_ACTION_SERVICES[name]
    if allowed:
        call(by=users[role], **ITEM_CALLS[name](item))
        item.refresh_from_db()
        assert item.state == (action.target or state)
        assert LedgerEntry.objects.filter(item=item, action=name).exists()
    else:
        with pytest.raises(DomainError):
            call(by=users[role], **ITEM_CALLS[name](item))
        item.refresh_from_db()
        assert item.state == state
        assert LedgerEntry.objects.filter(case=case).count() == ledger_before


@pytest.mark.django_db
@pytest.mark.parametrize("case_state", [s for s in CaseState
                                        if s not in (CaseState.PLANNED, CaseState.IN_PROGRESS)])
def test_no_item_moves_unless_its_case_is_running(case_state):
    case, item, users, _ = _world(case_state, ItemState.PUSHED)
    with pytest.raises(DomainError):
        services.accept_item(item=item, by=users[Role.DEPARTMENT_REPRESENTATIVE])
    item.refresh_from_db()
    assert item.state == ItemState.PUSHED
