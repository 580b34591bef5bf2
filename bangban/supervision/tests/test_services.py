"""Notice services: replies, closures, refusals, and bad input that changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from bangban.cases.models import LedgerEntry
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.models import Notification
from bangban.supervision import services
from bangban.supervision.jobs import scan_supervision
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.tests.conftest import TODAY
from bangban.supervision.workflow import NoticeLevel, NoticeState, ReferralBody

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    scan_supervision(TODAY)
    return SupervisionNotice.objects.get()


def test_reply_is_recorded_and_tells_the_specialist_and_chief(world, notice):
    services.reply_to_notice(notice=notice, by=world.department, reply="  下周二出具意见  ")
    notice.refresh_from_db()
    assert notice.state == NoticeState.ANSWERED
    assert notice.reply == "下周二出具意见" and notice.replied_by == world.department
    assert notice.replied_at is not None
    entry = LedgerEntry.objects.get(action="supervision_reply")
    assert entry.actor_role == "department_representative" and entry.reason == notice.reply
    recipients = set(Notification.objects.filter(event="supervision_notice_replied")
                     .values_list("recipient", flat=True))
    assert recipients == {world.specialist.pk, world.chief.pk}


@pytest.mark.parametrize("reply", ["", "   "])
def test_empty_reply_is_refused_and_changes_nothing(world, notice, reply):
    with pytest.raises(ValidationError) as error:
        services.reply_to_notice(notice=notice, by=world.department, reply=reply)
    assert "reply" in error.value.message_dict
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.reply == ""
    assert not LedgerEntry.objects.filter(action="supervision_reply").exists()


def test_another_department_may_not_reply(world, notice):
    with pytest.raises(NotAllowed):
        services.reply_to_notice(notice=notice, by=world.other_department, reply="代为答复")
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN


def test_second_reply_is_already_done(world, notice):
    services.reply_to_notice(notice=notice, by=world.department, reply="已安排")
    with pytest.raises(InvalidTransition, match="Already done"):
        services.reply_to_notice(notice=notice, by=world.department, reply="再次答复")
    assert LedgerEntry.objects.filter(action="supervision_reply").count() == 1


def test_close_needs_a_note_and_tells_the_department(world, notice):
    with pytest.raises(ValidationError):
        services.close_notice(notice=notice, by=world.chief, note=" ")
    services.close_notice(notice=notice, by=world.supervisor, note="事项已办结")
    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED and notice.closed_by == world.supervisor
    assert notice.closing_note == "事项已办结" and notice.next_escalation_on is None
    assert Notification.objects.filter(event="supervision_notice_closed",
                                       recipient=world.department).exists()
    with pytest.raises(InvalidTransition, match="Already done"):
        services.close_notice(notice=notice, by=world.chief, note="again")


def test_specialist_sees_but_may_not_close_or_escalate(world, notice):
    for call, kwargs in [(services.close_notice, {"note": "x"}),
                         (services.escalate_notice, {}),
                         (services.return_reply, {"reason": "x"})]:
        with pytest.raises(NotAllowed):
            call(notice=notice, by=world.specialist, **kwargs)
    notice.refresh_from_db()
    assert (notice.state, notice.level) == (NoticeState.OPEN, NoticeLevel.NOTICE)


def test_chief_escalates_and_refers_by_hand_before_the_deadline(world, notice):
    services.escalate_notice(notice=notice, by=world.chief, note="情况紧急", today=TODAY)
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.ESCALATED and notice.escalated_by == world.chief
    assert notice.response_due == datetime.date(2025, 3, 5)
    with pytest.raises(ValidationError):
        services.refer_notice(notice=notice, by=world.chief, note="")
    with pytest.raises(ValidationError):
        services.refer_notice(notice=notice, by=world.chief, note="x", referred_to="police")
    services.refer_notice(notice=notice, by=world.chief, note="屡催不办",
                          referred_to=ReferralBody.AUDIT)
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.REFERRED and notice.referred_to == ReferralBody.AUDIT
    # Still open: the department may still reply, and a chief closes it with the outcome.
    services.reply_to_notice(notice=notice, by=world.department, reply="已整改")
    services.close_notice(notice=notice, by=world.chief, note="审计部门已处理")


def test_system_may_not_escalate_before_the_deadline(world, notice):
    from bangban.accounts.system import system_user

    with pytest.raises(InvalidTransition):
        services.escalate_notice(notice=notice, by=system_user(), today=TODAY)
    with pytest.raises(NotAllowed):
        services.reply_to_notice(notice=notice, by=system_user(), reply="x")
