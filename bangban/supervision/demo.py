"""Supervision in the demo (`manage.py demo_data`, called by bangban.core.demo).

Five overdue items get a notice each, played through the services on the demo's simulated
clock, so that the demo shows every stage: a fresh notice, an answered one, a closed one, one
escalated to the agency's leadership and one referred to discipline inspection / audit. The
scan acts as the system user on the days it would have acted (the day after each response
deadline); the department's representative replies and the chief specialist closes.

Each scenario starts `days` working days ago. Its item must have been accepted before that and
been due before it; when the item's stored due date is later (the promised time limit was
long), it is moved to the working day before the notice, and the log says so.

Nothing is added when any notice exists already (a second run, or a worker that has scanned).
"""

import datetime

from django.db import transaction

from bangban.accounts.models import Membership, Role
from bangban.accounts.system import system_user
from bangban.cases.models import CaseItem, LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from bangban.deadlines.workdays import add_working_days, is_working_day
from bangban.supervision import services
from bangban.supervision.models import SupervisionNotice

ONE_DAY = datetime.timedelta(days=1)

# (name, working days ago the notice was issued), the oldest first.
SCENARIOS = [
    ("referred", 10),
    ("closed", 6),
    ("escalated", 4),
    ("answered", 3),
    ("notice", 1),
]

REPLIES = {
    "answered": "该事项需组织专家评审，评审会已定于本周召开，评审通过后三个工作日内出具审批意见。",
    "closed": "因申报材料中的图纸需与规划部门核对，导致超期。现已核对完毕，将于两个工作日内办结。",
}
CLOSING_NOTE = "部门已说明超期原因并承诺办结时限，事项已于承诺时限内办结，督办结束。"


def _working_days_before(day, count):
    while count:
        day -= ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def _candidates():
    """Accepted items of running cases with no notice yet, with the date of their last entry
    (the notice must come after it) — the main department account's items first."""
    items = list(
        CaseItem.objects.filter(state=ItemState.ACCEPTED, case__state=CaseState.IN_PROGRESS,
                                supervision_notices__isnull=True)
        .select_related("case__agency", "department", "matter")
        .order_by("pk")
    )
    main_departments = set(
        Membership.objects.filter(user__username="department",
                                  role=Role.DEPARTMENT_REPRESENTATIVE)
        .values_list("department_id", flat=True)
    )
    last = {}
    for item_id, at in LedgerEntry.objects.filter(item__in=items).values_list("item_id", "at"):
        last[item_id] = max(last.get(item_id, at), at)
    return sorted(
        ((item, last.get(item.pk)) for item in items),
        key=lambda pair: (pair[0].department_id not in main_departments,
                          pair[1] or datetime.datetime.min.replace(tzinfo=datetime.UTC)),
    )


def play_supervision(builder):
    """Adds the supervision scenarios to the demo; returns how many notices it issued."""
    if SupervisionNotice.objects.exists():
        return 0
    clock = builder.clock
    system = system_user()
    today = clock.real_local().date()
    candidates = _candidates()
    issued = 0
    for name, days in SCENARIOS:
        start = _working_days_before(today, days)
        pick = next(((item, last) for item, last in candidates
                     if last is None or clock_date(last, clock) < start), None)
        if pick is None:
            builder.log(f"  note: no accepted item for the “{name}” supervision notice.")
            continue
        candidates.remove(pick)
        item = pick[0]
        if item.due_date is None or item.due_date >= start:
            due = _working_days_before(start, 1)
            builder.log(f"  note: {item.case.number} {item.matter.name}: due date set to "
                        f"{due} for the “{name}” supervision notice.")
            CaseItem.objects.filter(pk=item.pk).update(due_date=due)
            item.due_date = due
        with transaction.atomic():
            _play(builder, name, item, start, system, today)
        clock.stop()
        issued += 1
    builder.created["supervision notices"] += issued
    return issued


def clock_date(moment, clock):
    return moment.astimezone(clock.tz).date()


def _play(builder, name, item, start, system, today):
    clock = builder.clock
    clock.set(_at(start, 7, 5))
    notice = services.issue_notice(item=item, by=system, today=start)
    rep = builder.department_rep(item.department_id)
    chief = builder.chief_for(item.case.agency)
    if name in ("answered", "closed"):
        reply_day = add_working_days(start, 1)
        clock.set(_at(reply_day, 10, 20))
        notice = services.reply_to_notice(notice=notice, by=rep, reply=REPLIES[name])
        if name == "closed":
            close_day = min(add_working_days(reply_day, 2), today)
            clock.set(_at(close_day, 15, 40))
            services.close_notice(notice=notice, by=chief, note=CLOSING_NOTE)
        return
    if name in ("escalated", "referred"):
        day = notice.next_escalation_on
        clock.set(_at(day, 7, 5))
        notice = services.escalate_notice(notice=notice, by=system, today=day)
    if name == "referred":
        day = notice.next_escalation_on
        clock.set(_at(day, 7, 5))
        services.refer_notice(notice=notice, by=system, today=day)
