"""The item clock through the services, the warning scan and the calendar's recompute hook."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases import services
from bangban.cases.models import (
    CaseItem,
    ClockPause,
    LedgerEntry,
    PauseAttribution,
    PauseCause,
    SpecialProcedureKind,
    SuspensionReason,
)
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import LimitUnit
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.deadlines import jobs
from bangban.deadlines.item_clock import clock_columns, extension_allowance, policy_for
from bangban.deadlines.models import WarningLevel, WarningPolicy
from bangban.deadlines.selectors import items_overdue
from bangban.deadlines.services import import_schedule
from bangban.deadlines.workdays import add_working_days
from bangban.notifications.models import Notification
from tests.factories import (
    AgencyFactory,
    CaseItemFactory,
    MatterFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    item = CaseItemFactory(state=ItemState.PUSHED, promised_limit=5,
                           matter=MatterFactory(legal_limit=20, promised_limit=5))
    case = item.case
    MembershipFactory(user=case.specialist, agency=case.agency, role=Role.SPECIALIST)
    department = MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                   department=item.department).user
    return item, department


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _accepted(item, department, *, on=None):
    item = services.accept_item(item=item, by=department)
    if on is not None:  # move the acceptance into the past, as if it had happened then
        CaseItem.objects.filter(pk=item.pk).update(accepted_at=_at(on))
        item = _refresh(item)
        _reading, columns = clock_columns(item, today=on)
        CaseItem.objects.filter(pk=item.pk).update(**columns)
    return CaseItem.objects.get(pk=item.pk)


def _refresh(item):
    return CaseItem.objects.select_related("case__agency", "department__agency", "matter").get(
        pk=item.pk)


# ----------------------------------------------------------------------------- services


def test_acceptance_starts_the_clock(world):
    item, department = world
    item = _accepted(item, department)
    today = timezone.localdate()
    assert item.due_date == add_working_days(today, 5)
    assert item.warning_level == WarningLevel.GREEN
    assert item.warning_next_check > today
    entry = LedgerEntry.objects.get(item=item, action="accept")
    assert entry.details["item_due_date"] == item.due_date.isoformat()


def test_a_supplement_request_stops_the_clock_and_supplying_restarts_it(world):
    item, department = world
    item = _accepted(item, department)
    services.request_supplement(item=item, by=department, reason="补充节能报告")
    item = _refresh(item)
    pause = ClockPause.objects.get(item=item)
    assert (pause.cause, pause.attributed_to, pause.ended_at) == (
        PauseCause.SUPPLEMENT, PauseAttribution.COMPANY, None)
    assert item.warning_next_check is None  # nothing changes while paused
    services.supply_supplement(item=item, by=item.case.specialist, answer="已补充")
    item = _refresh(item)
    pause.refresh_from_db()
    assert pause.ended_at is not None
    assert item.warning_next_check is not None
    assert item.due_date == add_working_days(timezone.localdate(), 5)


def test_suspension_pauses_every_running_clock_and_resume_closes_the_pauses(world):
    item, department = world
    item = _accepted(item, department)
    waiting = CaseItemFactory(case=item.case, department=item.department,
                              state=ItemState.PREPARING)
    case = services.suspend_case(case=item.case, by=item.case.specialist,
                                 reason=SuspensionReason.NOT_COMPLIANT, note="不符合规划")
    pause = ClockPause.objects.get()
    assert pause.item_id == item.pk
    assert pause.cause == PauseCause.CASE_SUSPENDED
    assert pause.attributed_to == PauseAttribution.COMPANY
    assert not ClockPause.objects.filter(item=waiting).exists()
    services.resume_case(case=case, by=case.specialist, note="已调整方案")
    pause.refresh_from_db()
    assert pause.ended_at is not None
    assert _refresh(item).warning_next_check is not None


def test_a_special_procedure_pauses_the_clock_without_changing_the_state(world):
    item, department = world
    item = _accepted(item, department, on=timezone.localdate() - datetime.timedelta(days=20))
    assert item.state == ItemState.ACCEPTED
    item = services.start_special_procedure(item=item, by=department,
                                            kind=SpecialProcedureKind.HEARING,
                                            reason="涉及重大公共利益，依法举行听证")
    assert item.state == ItemState.ACCEPTED
    pause = ClockPause.objects.get(item=item)
    assert pause.attributed_to == PauseAttribution.DEPARTMENT
    with pytest.raises(InvalidTransition):
        services.start_special_procedure(item=item, by=department,
                                         kind=SpecialProcedureKind.TESTING, reason="再来一次")
    # Overdue before the procedure began, yet no supervision while the clock is paused.
    assert not items_overdue(timezone.localdate()).filter(pk=item.pk).exists()
    services.end_special_procedure(item=item, by=department, note="听证结束")
    assert ClockPause.objects.get(item=item).ended_at is not None
    with pytest.raises(InvalidTransition):
        services.end_special_procedure(item=item, by=department, note="again")


def test_wrong_role_or_bad_input_changes_nothing(world):
    item, department = world
    item = _accepted(item, department)
    before = LedgerEntry.objects.count()
    with pytest.raises(NotAllowed):
        services.start_special_procedure(item=item, by=item.case.specialist,
                                         kind=SpecialProcedureKind.HEARING, reason="x")
    with pytest.raises(NotAllowed):
        services.extend_item(item=item, by=item.case.specialist, days=5, reason="x")
    with pytest.raises(ValidationError):
        services.start_special_procedure(item=item, by=department, kind="party", reason="x")
    with pytest.raises(ValidationError):
        services.extend_item(item=item, by=department, days=5, reason="  ")
    assert LedgerEntry.objects.count() == before
    assert not ClockPause.objects.exists()
    assert _refresh(item).extended_days == 0


def test_an_extension_moves_the_due_date_once_within_the_legal_limit(world):
    item, department = world
    item = _accepted(item, department)
    assert extension_allowance(item).days == 10  # 20-day matter: +10 (行政许可法 §42)
    with pytest.raises(ValidationError) as error:
        services.extend_item(item=item, by=department, days=11, reason="情况复杂")
    assert "At most 10 days" in str(error.value)
    item = services.extend_item(item=item, by=department, days=10, reason="情况复杂")
    assert item.due_date == add_working_days(timezone.localdate(), 15)
    entry = LedgerEntry.objects.get(item=item, action="extend")
    assert entry.details["extended_days"] == 10
    assert entry.reason == "情况复杂"
    with pytest.raises(InvalidTransition):
        services.extend_item(item=item, by=department, days=1, reason="再延")


def test_the_extension_headroom_follows_the_matter():
    joint = CaseItemFactory.build(promised_limit=45, matter=MatterFactory.build(legal_limit=45))
    assert extension_allowance(joint).days == 15
    full = CaseItemFactory.build(promised_limit=25, matter=MatterFactory.build(legal_limit=20))
    assert extension_allowance(full).days == 5
    days = CaseItemFactory.build(promised_limit=30, limit_unit=LimitUnit.CALENDAR_DAY,
                                 matter=MatterFactory.build(legal_limit=60))
    assert extension_allowance(days).days == 0


def test_the_decision_stops_the_clock_and_keeps_the_days_used(world):
    item, department = world
    item = _accepted(item, department, on=timezone.localdate() - datetime.timedelta(days=3))
    services.start_special_procedure(item=item, by=department,
                                     kind=SpecialProcedureKind.EXPERT_REVIEW, reason="评审")
    services.refuse_item(item=_refresh(item), by=department, reason="不符合产业政策")
    item = _refresh(item)
    assert item.warning_level == ""
    assert item.warning_next_check is None
    assert item.days_used is not None and item.due_date is not None
    assert not ClockPause.objects.filter(ended_at__isnull=True).exists()


# ----------------------------------------------------------------------------- the scan


def _overdue_world(world):
    item, department = world
    start = timezone.localdate() - datetime.timedelta(days=30)
    return _accepted(item, department, on=start), department


def test_the_scan_turns_an_overdue_item_red_once_and_notifies(world):
    item, department = _overdue_world(world)
    assert item.warning_level == WarningLevel.GREEN  # set at acceptance, read "today" then
    CaseItem.objects.filter(pk=item.pk).update(warning_next_check=timezone.localdate())
    assert jobs.scan_warning_levels() == 1
    item = _refresh(item)
    assert item.warning_level == WarningLevel.RED
    assert item.warning_next_check is None
    digests = Notification.objects.filter(event="warning_digest")
    assert {n.recipient_id for n in digests} == {item.case.specialist_id, department.pk}
    assert all(n.case_id == item.case_id and item.matter.name in n.body for n in digests)
    # Idempotent: a second run finds nothing due and changes nothing.
    assert jobs.scan_warning_levels() == 0
    assert Notification.objects.filter(event="warning_digest").count() == 2


def test_a_concurrent_change_wins_over_a_rescan(world, monkeypatch):
    item, department = _overdue_world(world)
    original = jobs.item_clock.clock_columns

    def meanwhile(item, **kwargs):
        result = original(item, **kwargs)
        # Another worker (or a service) changes the row after the rescan read it.
        CaseItem.objects.filter(pk=item.pk).update(warning_level=WarningLevel.YELLOW)
        return result

    monkeypatch.setattr(jobs.item_clock, "clock_columns", meanwhile)
    assert jobs.rescan_all() == 0
    assert _refresh(item).warning_level == WarningLevel.YELLOW
    assert not Notification.objects.filter(event__startswith="warning_").exists()


def test_the_scan_only_reads_items_whose_check_has_come(world):
    item, department = world
    item = _accepted(item, department)
    assert jobs.scan_warning_levels() == 0
    tomorrow = item.warning_next_check
    changed = jobs.scan_warning_levels(today=tomorrow + datetime.timedelta(days=30))
    assert changed == 1
    assert _refresh(item).warning_level == WarningLevel.RED


def test_a_yellow_light_from_an_agency_policy(world):
    item, department = world
    parent = AgencyFactory()
    item.case.agency.parent = parent
    item.case.agency.save()
    WarningPolicy.objects.create(agency=parent, days_left=5, percent_used=100)
    agency = item.case.agency
    agency.refresh_from_db()
    assert policy_for(agency).days_left == 5
    item = _accepted(item, department)
    assert item.warning_level == WarningLevel.YELLOW  # 5 of 5 left: already inside the window


def test_the_command_rescans_everything_after_a_change_of_policy(world, capsys):
    item, department = world
    item = _accepted(item, department)
    assert item.warning_level == WarningLevel.GREEN
    WarningPolicy.objects.create(agency=item.case.agency, days_left=5, percent_used=100)
    call_command("scan_warnings")
    assert capsys.readouterr().out.strip() == "0"  # no next check has come
    call_command("scan_warnings", "--all")
    assert capsys.readouterr().out.strip() == "1"
    item = _refresh(item)
    assert item.warning_level == WarningLevel.YELLOW
    assert item.warning_next_check == item.due_date + datetime.timedelta(days=1)


# ------------------------------------------------------------------------- the calendar


def test_importing_a_year_recomputes_the_due_dates_it_touches(world):
    item, department = world
    item = _accepted(item, department)
    due = item.due_date
    # Make every working day of the due date's week a day off: the due date moves.
    days = [due - datetime.timedelta(days=i) for i in range(0, 3)]
    rows = "\n".join(f"{d.isoformat()},holiday,测试假日" for d in days
                     if d > timezone.localdate())
    if not rows:
        pytest.skip("the due date is too close to today")
    summary = import_schedule(content=f"date,kind,name\n{rows}\n".encode(), source="test.csv")
    assert summary.recomputed >= 1
    item = _refresh(item)
    assert item.due_date > due


def test_a_calendar_change_elsewhere_leaves_other_agencies_alone(world):
    from bangban.deadlines.services import recompute_due_dates

    item, department = world
    _accepted(item, department)
    other = AgencyFactory()
    assert recompute_due_dates(years=[timezone.localdate().year], agency=other) == 0


def test_cases_show_their_worst_light(world):
    from bangban.cases.selectors import with_worst_warning

    item, department = _overdue_world(world)
    CaseItemFactory(case=item.case, state=ItemState.ACCEPTED, warning_level=WarningLevel.YELLOW)
    jobs.rescan_all()
    case = with_worst_warning(type(item.case).objects.filter(pk=item.case_id)).get()
    assert case.worst_warning == WarningLevel.RED
    assert item.case.state == CaseState.IN_PROGRESS
