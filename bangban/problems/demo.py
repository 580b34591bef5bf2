"""Problems in the demo (`manage.py demo_data`, called by bangban.core.demo).

Six problems are played through the services on the demo's simulated clock, one per running case,
so that the demo shows every level and both endings: a fresh problem at level 1, one the worker
escalated to the chief responsible person (level 2), one the chief took on to a joint meeting
(level 3), one that went up to a special meeting of the leadership (level 4), one answered,
passed on and confirmed by the company, and one passed on to another body by feedback letter.
The worker acts as the system user on the day it would have acted (the day after a level's due
date); the department's representative answers, the specialist relays, the chief escalates.

Each scenario starts `days` working days ago, on an item of a running case that was at its department, in its present state, by then. Nothing is added when any problem exists already (a second run).
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce

from bangban.accounts.models import Membership, Role
from bangban.accounts.system import system_user
from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import CaseState, ItemState
from bangban.deadlines.workdays import add_working_days, is_working_day
from bangban.problems import services
from bangban.problems.models import Problem

ONE_DAY = datetime.timedelta(days=1)
ITEM_STATES = (ItemState.PUSHED, ItemState.ACCEPTED, ItemState.SUPPLEMENT_REQUESTED)

# (name, working days ago the problem was raised, raised by the company?), the oldest first.
SCENARIOS = [
    ("level_4", 14, True),
    ("level_3", 9, False),
    ("confirmed", 7, True),
    ("level_2", 5, True),
    ("feedback_letter", 4, True),
    ("level_1", 1, True),
]

TEXTS = {
    "level_4": ("项目用地红线与市政道路规划冲突",
                "规划条件中的道路红线与已出让用地范围重叠约 600 平方米，规划许可无法继续办理。",
                "请协调自然资源和规划、住建、交通部门研究调整方案，明确办理路径。"),
    "level_3": ("消防设计审查与人防审查意见不一致",
                "地下室人防区域的防火分区划分，两个部门的审查意见相互矛盾，设计单位无所适从。",
                "请组织相关部门统一审查口径。"),
    "confirmed": ("施工图审查意见迟迟未出具",
                  "施工图已于两周前提交审查，至今未收到审查意见，影响施工许可办理。",
                  "请协调尽快出具审查意见。"),
    "level_2": ("环评批复需补充的监测数据无法取得",
                "环评报告要求补充的地下水监测点位位于相邻地块，相邻企业不同意进场监测。",
                "请协调相邻企业或明确替代方案。"),
    "feedback_letter": ("厂区供电容量不足需增容",
                        "项目投产需 2000 千伏安供电容量，现有线路仅 800 千伏安。",
                        "希望供电部门尽快启动增容工程。"),
    "level_1": ("规划许可申报材料清单不明确",
                "办事指南中的“其他相关材料”具体指哪些材料，窗口答复不一致。",
                "请明确需提交的材料清单。"),
}
ANSWER = "施工图审查机构已完成审查，审查意见将于两个工作日内通过平台推送，请企业留意查收。"
RELAYED = "住建部门答复：施工图审查已完成，审查意见两个工作日内推送至平台，届时我们会第一时间通知您。"
ESCALATION_REASONS = {
    3: "涉及多个部门，需召开联席会议研究统一意见。",
    4: "联席会议未能形成一致意见，提请领导专题会议研究。",
}
LETTER = ("我中心在为该项目提供帮办代办服务过程中，企业反映厂区供电容量不足、需增容至 2000 千伏安。"
          "该诉求不属于工程建设项目审批事项，现函告贵单位，请予研究并将办理情况反馈我中心。")


def _working_days_before(day, count):
    while count:
        day -= ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def _set(clock, day, hour, minute=0):
    # Never later than the demo's "now", whatever the calendar did to the days above.
    clock.set(min(_at(day, hour, minute), clock.latest()))


def _candidates():
    """Running cases with a company account and their items at a department, the main
    department account's items first."""
    cases = (
        Case.objects.filter(state=CaseState.IN_PROGRESS, specialist__isnull=False,
                            company_contact__user__isnull=False)
        .select_related("agency", "company_contact__user", "specialist")
        .order_by("pk")
    )
    main_departments = set(
        Membership.objects.filter(user__username="department",
                                  role=Role.DEPARTMENT_REPRESENTATIVE)
        .values_list("department_id", flat=True)
    )
    items = (CaseItem.objects.filter(case__in=cases, state__in=ITEM_STATES,
                                     pushed_at__isnull=False)
             .annotate(last_change=Coalesce(Max("ledger__at"), "pushed_at"))
             .select_related("department").order_by("pk"))
    by_case = {}
    for item in items:
        by_case.setdefault(item.case_id, []).append(item)
    pairs = [(case, by_case[case.pk]) for case in cases if case.pk in by_case]
    for _case, case_items in pairs:
        case_items.sort(key=lambda i: i.department_id not in main_departments)
    return sorted(pairs, key=lambda p: p[1][0].department_id not in main_departments)


def _pick(candidates, start, clock):
    """The first case with an item that had reached its present state before `start`, so that
    the problem's ledger entries, dated from `start`, find the item in the state they record."""
    for case, items in candidates:
        for item in items:
            if item.last_change.astimezone(clock.tz).date() < start:
                candidates.remove((case, items))
                return case, item
    return None


def play_problems(builder):
    """Adds the problem scenarios to the demo; returns how many problems it raised."""
    if Problem.objects.exists():
        return 0
    clock = builder.clock
    today = clock.real_local().date()
    candidates = _candidates()
    raised = 0
    for name, days, by_company in SCENARIOS:
        start = _working_days_before(today, days)
        pick = _pick(candidates, start, clock)
        if pick is None:
            builder.log(f"  note: no running case for the “{name}” problem.")
            continue
        case, item = pick
        with transaction.atomic():
            _play(builder, name, case, item, start, by_company, today)
        clock.stop()
        raised += 1
    builder.created["problems"] += raised
    return raised


def _play(builder, name, case, item, start, by_company, today):
    clock = builder.clock
    _set(clock, start, 9, 40)
    title, description, wanted = TEXTS[name]
    problem = services.raise_problem(
        case=case, by=case.company_contact.user if by_company else case.specialist,
        item=item, title=title, description=description, requested_outcome=wanted, today=start,
    )
    chief = builder.chief_for(case.agency)
    if name == "confirmed":
        day = add_working_days(start, 1)
        _set(clock, day, 10, 15)
        problem = services.answer_problem(problem=problem,
                                          by=builder.department_rep(problem.department_id),
                                          answer=ANSWER)
        _set(clock, day, 14, 30)
        problem = services.relay_answer(problem=problem, by=case.specialist, answer=RELAYED)
        _set(clock, min(add_working_days(day, 2), today), 9, 10)
        services.confirm_resolution(problem=problem, by=case.company_contact.user)
    elif name == "feedback_letter":
        day = add_working_days(start, 1)
        _set(clock, day, 11, 0)
        services.send_feedback_letter(problem=problem, by=chief, addressee="国网供电公司",
                                      content=LETTER, sent_on=day)
    elif name in ("level_2", "level_3", "level_4"):
        day = problem.next_escalation_on
        _set(clock, day, 7, 5)
        problem = services.escalate_problem(problem=problem, by=system_user(), today=day)
        # The chief takes it further two working days later, before the level is overdue.
        for level in range(3, {"level_2": 3, "level_3": 4, "level_4": 5}[name]):
            day = min(add_working_days(day, 2), today)
            _set(clock, day, 16, 0)
            problem = services.escalate_problem(problem=problem, by=chief,
                                                reason=ESCALATION_REASONS[level], today=day)
