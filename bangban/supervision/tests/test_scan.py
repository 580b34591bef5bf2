"""The scan: notices issued once, escalated and referred on the working-day calendar."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from bangban.accounts.models import Role
from bangban.accounts.system import SYSTEM_USERNAME
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from bangban.notifications.models import Notification
from bangban.supervision import services
from bangban.supervision.jobs import scan_supervision
from bangban.supervision.models import SupervisionNotice, SupervisionPolicy
from bangban.supervision.tests.conftest import DUE, TODAY, make_world
from bangban.supervision.workflow import NoticeLevel, NoticeState, ReferralBody

pytestmark = pytest.mark.django_db

D = datetime.date


def test_an_overdue_item_gets_one_numbered_notice_even_when_scanned_twice(world):
    assert scan_supervision(TODAY) == 1
    assert scan_supervision(TODAY) == 0  # a second worker, right after the first
    notice = SupervisionNotice.objects.get()
    assert notice.number == f"DB{notice.issued_at.year}{notice.pk:06d}"
    assert notice.item == world.item and notice.case == world.case
    assert notice.department == world.item.department
    assert (notice.level, notice.state) == (NoticeLevel.NOTICE, NoticeState.OPEN)
    assert notice.item_due_date == DUE
    assert notice.response_due == D(2025, 3, 6)  # three working days after Monday
    assert notice.next_escalation_on == D(2025, 3, 7)
    assert notice.issued_by.username == SYSTEM_USERNAME
    entry = LedgerEntry.objects.get(action="supervision_issue")
    assert entry.actor_role == "system" and entry.details["notice"] == notice.number
    recipients = set(Notification.objects.filter(event="supervision_notice_issued")
                     .values_list("recipient__username", flat=True))
    assert recipients == {world.department.username, world.specialist.username}


def test_items_not_overdue_or_not_running_get_no_notice(db):
    make_world(due_date=TODAY)  # due today: not overdue yet
    make_world(due_date=None)
    paused = make_world()
    paused.item.state = ItemState.SUPPLEMENT_REQUESTED
    paused.item.save()
    suspended = make_world()
    suspended.case.state = CaseState.SUSPENDED
    suspended.case.save()
    assert scan_supervision(TODAY) == 0
    assert not SupervisionNotice.objects.exists()


def test_unanswered_notice_is_escalated_then_referred_on_working_days(world):
    scan_supervision(TODAY)
    assert scan_supervision(D(2025, 3, 6)) == 0  # the last day to reply
    assert scan_supervision(D(2025, 3, 7)) == 1
    notice = SupervisionNotice.objects.get()
    assert (notice.level, notice.state) == (NoticeLevel.ESCALATED, NoticeState.OPEN)
    assert notice.response_due == D(2025, 3, 11)  # two working days after Friday
    assert scan_supervision(D(2025, 3, 7)) == 0
    assert scan_supervision(D(2025, 3, 11)) == 0
    escalated_to = set(Notification.objects.filter(event="supervision_notice_escalated")
                       .values_list("recipient__username", flat=True))
    assert {world.chief.username, world.supervisor.username} <= escalated_to

    assert scan_supervision(D(2025, 3, 12)) == 1
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.REFERRED
    assert notice.referred_to == ReferralBody.DISCIPLINE_INSPECTION
    assert notice.referred_by.username == SYSTEM_USERNAME and notice.referral_note
    assert notice.next_escalation_on is None
    assert scan_supervision(D(2025, 4, 30)) == 0  # nothing automatic after a referral
    assert list(LedgerEntry.objects.filter(action__startswith="supervision_")
                .values_list("action", flat=True)) == [
        "supervision_issue", "supervision_escalate", "supervision_refer"]
    assert Notification.objects.filter(event="supervision_notice_referred",
                                       recipient=world.supervisor).exists()


def test_response_deadline_skips_the_national_day_holiday(db):
    make_world(due_date=D(2025, 9, 29))
    scan_supervision(D(2025, 9, 30))
    notice = SupervisionNotice.objects.get()
    # 1–8 October 2025 are off; Saturday 11 October is a make-up working day.
    assert notice.response_due == D(2025, 10, 11)
    assert scan_supervision(D(2025, 10, 11)) == 0
    assert scan_supervision(D(2025, 10, 12)) == 1


def test_a_reply_stops_the_escalation(world):
    scan_supervision(TODAY)
    notice = SupervisionNotice.objects.get()
    services.reply_to_notice(notice=notice, by=world.department,
                             reply="专家评审会定于下周二召开，评审后三日内出具意见。")
    assert scan_supervision(D(2025, 3, 20)) == 0
    notice.refresh_from_db()
    assert (notice.level, notice.state) == (NoticeLevel.NOTICE, NoticeState.ANSWERED)
    assert notice.next_escalation_on is None


def test_returned_reply_gets_a_new_deadline_and_escalates_when_unanswered(world):
    scan_supervision(TODAY)
    notice = SupervisionNotice.objects.get()
    services.reply_to_notice(notice=notice, by=world.department, reply="正在办理")
    services.return_reply(notice=notice, by=world.chief, reason="未说明办结时间",
                          today=D(2025, 3, 10))
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.response_due == D(2025, 3, 13)
    assert scan_supervision(D(2025, 3, 13)) == 0
    assert scan_supervision(D(2025, 3, 14)) == 1
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.ESCALATED


def test_decided_item_is_not_escalated(world):
    scan_supervision(TODAY)
    world.item.state = ItemState.APPROVED
    world.item.save()
    assert scan_supervision(D(2025, 3, 20)) == 0
    assert SupervisionNotice.objects.get().level == NoticeLevel.NOTICE


def test_a_closed_notice_is_not_issued_again_for_the_same_due_date(world):
    scan_supervision(TODAY)
    notice = SupervisionNotice.objects.get()
    services.close_notice(notice=notice, by=world.chief, note="部门已说明原因，同意延期")
    assert scan_supervision(D(2025, 3, 4)) == 0
    # A new lapse (the due date was recomputed and missed again) gets a new notice.
    world.item.due_date = D(2025, 3, 10)
    world.item.save()
    assert scan_supervision(D(2025, 3, 11)) == 1
    assert SupervisionNotice.objects.count() == 2


def test_agency_policy_sets_the_deadlines_and_can_leave_referral_to_people(db):
    parent = make_world().case.agency
    SupervisionPolicy.objects.create(agency=parent, notice_response_days=5,
                                     escalated_response_days=1, auto_refer=False,
                                     referral_body=ReferralBody.AUDIT)
    from tests.factories import AgencyFactory

    child = AgencyFactory(parent=parent)
    world = make_world(agency=child)  # no policy of its own: inherits the parent's
    SupervisionNotice.objects.all().delete()
    services.issue_notice(item=world.item, by=world.chief, today=TODAY)
    notice = SupervisionNotice.objects.get()
    assert notice.response_due == D(2025, 3, 10)  # five working days
    assert notice.issued_by == world.chief
    assert scan_supervision(D(2025, 3, 11)) >= 1
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.ESCALATED and notice.response_due == D(2025, 3, 12)
    assert notice.next_escalation_on is None
    assert scan_supervision(D(2025, 3, 31)) >= 0
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.ESCALATED  # waits for a chief or supervisor
    services.refer_notice(notice=notice, by=world.supervisor, note="两次督办仍未办结")
    notice.refresh_from_db()
    assert notice.referred_to == ReferralBody.AUDIT


@override_settings(SUPERVISION_DEFAULTS={"notice_response_days": 1})
def test_defaults_come_from_settings(world):
    scan_supervision(TODAY)
    assert SupervisionNotice.objects.get().response_due == D(2025, 3, 4)


def test_command_runs_the_scan_once(world):
    out = StringIO()
    call_command("scan_supervision", "--today", TODAY.isoformat(), stdout=out)
    assert "1" in out.getvalue()
    assert SupervisionNotice.objects.count() == 1


def test_worker_runs_the_scan(world, settings):
    from bangban.core.worker import load_jobs, run_round

    assert "bangban.supervision.jobs.scan_supervision" in settings.BANGBAN_WORKER_JOBS
    jobs = [(p, f) for p, f in load_jobs() if p.endswith("scan_supervision")]
    assert run_round(jobs) >= 0  # runs with the real today: the item is long overdue
    assert SupervisionNotice.objects.filter(item=world.item).exists()


def test_issue_by_hand_needs_a_staff_role_and_an_overdue_item(world):
    from bangban.core.errors import InvalidTransition, NotAllowed

    with pytest.raises(NotAllowed):
        services.issue_notice(item=world.item, by=world.department, today=TODAY)
    with pytest.raises(InvalidTransition):
        services.issue_notice(item=world.item, by=world.specialist, today=DUE)
    services.issue_notice(item=world.item, by=world.specialist, today=TODAY)
    with pytest.raises(InvalidTransition, match="Already done"):
        services.issue_notice(item=world.item, by=world.chief, today=TODAY)
    assert SupervisionNotice.objects.count() == 1
    assert LedgerEntry.objects.get(action="supervision_issue").actor_role == Role.SPECIALIST
