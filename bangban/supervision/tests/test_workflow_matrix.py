"""Walks every (state, level, action, role) combination of workflow.py through the services.

An allowed one must succeed and land in the table's target state and level with a ledger
entry; a forbidden one must raise a DomainError and change nothing. The system user may act
only on an open notice that is due, which these notices are (reply due yesterday).
"""

import datetime

import pytest

from bangban.accounts.models import Role
from bangban.accounts.system import system_user
from bangban.cases.models import LedgerEntry
from bangban.core.errors import DomainError
from bangban.supervision import services
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.tests.conftest import TODAY, make_world
from bangban.supervision.workflow import (
    NOTICE_ACTIONS,
    SYSTEM,
    NoticeLevel,
    NoticeState,
    ReferralBody,
)

ROLES = [Role.DEPARTMENT_REPRESENTATIVE, Role.SPECIALIST, Role.CHIEF_SPECIALIST,
         Role.SUPERVISOR, Role.APPLICANT, "outsider", "other_department", SYSTEM]

CALLS = {
    "reply": lambda n: dict(notice=n, reply="评审会后三日内办结"),
    "return_reply": lambda n: dict(notice=n, reason="未说明办结时间", today=TODAY),
    "escalate": lambda n: dict(notice=n, note="逾期未反馈", today=TODAY),
    "refer": lambda n: dict(notice=n, note="升级督办后仍未办结", today=TODAY),
    "close": lambda n: dict(notice=n, note="已办结"),
}


def _notice(world, state, level):
    notice = SupervisionNotice.objects.create(
        number=f"DB2025{world.item.pk:06d}", agency=world.case.agency, case=world.case,
        item=world.item, department=world.item.department, level=level, state=state,
        item_due_date=world.item.due_date, issued_at=datetime.datetime(2025, 2, 28, 9, 0,
                                                                       tzinfo=datetime.UTC),
        issued_by=world.chief, response_due=TODAY - datetime.timedelta(days=1),
        next_escalation_on=TODAY if state == NoticeState.OPEN and level != NoticeLevel.REFERRED
        else None,
        reply="已在办理" if state == NoticeState.ANSWERED else "",
        referred_to=ReferralBody.AUDIT if level == NoticeLevel.REFERRED else "",
    )
    return notice


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", list(NoticeLevel))
@pytest.mark.parametrize("state", list(NoticeState))
@pytest.mark.parametrize("name", list(NOTICE_ACTIONS))
def test_notice_action_matrix(name, state, level, role):
    world = make_world()
    notice = _notice(world, state, level)
    by = system_user() if role == SYSTEM else world.user(role)
    action = NOTICE_ACTIONS[name]
    allowed = action.allows(state, level, {role})
    if role == SYSTEM:
        allowed = allowed and state == NoticeState.OPEN and level != NoticeLevel.REFERRED
    ledger_before = LedgerEntry.objects.count()
    call = services.NOTICE_ACTION_SERVICES[name]
    if allowed:
        call(by=by, **CALLS[name](notice))
        notice.refresh_from_db()
        assert notice.state == (action.target_state or state)
        assert notice.level == (action.target_level or level)
        entry = LedgerEntry.objects.get(action=f"supervision_{name}")
        assert entry.actor == by and entry.details["notice"] == notice.number
    else:
        with pytest.raises(DomainError):
            call(by=by, **CALLS[name](notice))
        notice.refresh_from_db()
        assert (notice.state, notice.level) == (state, level)
        assert LedgerEntry.objects.count() == ledger_before


def test_system_only_escalates_and_refers():
    assert {name for name, a in NOTICE_ACTIONS.items() if SYSTEM in a.roles} == {
        "escalate", "refer"}
