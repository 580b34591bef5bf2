"""Joint meetings in the demo (`manage.py demo_data`, called by bangban.core.demo).

On one running case — preferably one with an item at the main department account's
department — a joint meeting was held six working days ago: its minutes are published with
two decisions, one carried out on time and one overdue (a red light on the owner's list).
A second meeting, a pre-review on the same case, is ahead. When the problems' demo left a
problem at the joint meeting's or the leadership's level, the meeting its level calls for is
convened on it, ahead too. All are played through the services on the demo's simulated clock;
the company's contact replies to the upcoming pre-review.

Nothing is added when any meeting exists already (a second run).
"""

import datetime

from django.db import transaction

from bangban.accounts.models import Membership, Role, User
from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import CaseState
from bangban.deadlines.workdays import add_working_days, is_working_day
from bangban.meetings import services
from bangban.meetings.forms import initial_for_problem
from bangban.meetings.models import Meeting
from bangban.meetings.workflow import AGENDA_PROBLEM_STATES, PROBLEM_MEETINGS, MeetingKind, Reply
from bangban.problems.models import Problem

ONE_DAY = datetime.timedelta(days=1)
HELD_DAYS_AGO = 6
EXTERNAL_EXPERT = ("孙明", "滨州市规划设计研究院", "")
MINUTES = ("会议听取了项目单位关于项目建设进展及审批办理情况的汇报，各部门围绕施工许可阶段"
           "并联审批进行了会商。会议明确由各责任部门按分工推进，帮办代办专员全程跟踪。")
DECISIONS = [
    # (text, owner: "rep" or "specialist", working days, carried out after working days)
    ("对施工图设计文件提出的消防审查意见进行一次性告知，项目单位据此修改后重新提交。",
     "rep", 3, 2),
    ("协调供水、供电单位现场踏勘，明确外线接入方案并出具书面意见。", "rep_2", 4, None),
]
DONE_NOTE = "已于会后两个工作日内出具一次性告知书，项目单位已按意见修改并重新提交。"


def _working_days_before(day, count):
    while count:
        day -= ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def _pick_case():
    """A running case and the representatives of its items' departments, the main
    department account's first."""
    cases = (Case.objects.filter(state=CaseState.IN_PROGRESS)
             .select_related("agency", "project__company", "company_contact", "specialist")
             .order_by("pk"))
    best = None
    for case in cases:
        departments = list(CaseItem.objects.filter(case=case)
                           .values_list("department_id", flat=True).distinct())
        reps = {}
        for membership in (Membership.objects.filter(role=Role.DEPARTMENT_REPRESENTATIVE,
                                                     department_id__in=departments,
                                                     user__is_active=True)
                           .select_related("user").order_by("pk")):
            reps.setdefault(membership.department_id, membership.user)
        people = sorted(reps.values(), key=lambda user: user.username != "department")
        if people and (best is None or people[0].username == "department"):
            best = (case, people)
            if people[0].username == "department":
                break
    return best


def play_meetings(builder):
    """Adds the meeting scenarios to the demo; returns how many meetings it convened."""
    if Meeting.objects.exists():
        return 0
    pick = _pick_case()
    if pick is None:
        builder.log("  note: no running case with a department representative for the "
                    "demo meetings.")
        return 0
    case, reps = pick
    chief = builder.chief_for(case.agency)
    today = builder.clock.real_local().date()
    with transaction.atomic():
        _held_meeting(builder, case, chief, reps, today)
        _upcoming_meeting(builder, case, chief, reps, today)
        convened = 2 + (_problem_meeting(builder, today) is not None)
    builder.clock.stop()
    builder.created["meetings"] += convened
    return convened


def _attendees(case, reps):
    return {
        "representatives": reps[:3],
        "external_experts": [EXTERNAL_EXPERT],
        "company_contacts": [case.company_contact] if case.company_contact_id else [],
    }


def _aware(clock, moment):
    return moment.replace(tzinfo=clock.tz)


def _held_meeting(builder, case, chief, reps, today):
    clock = builder.clock
    day = _working_days_before(today, HELD_DAYS_AGO)
    clock.set(_at(_working_days_before(day, 2), 16, 10))
    meeting = services.convene_meeting(
        by=chief, case=case, kind=MeetingKind.JOINT,
        title=f"{case.project.name}施工许可阶段联席会议",
        starts_at=_aware(clock, _at(day, 9, 30)), ends_at=_aware(clock, _at(day, 11, 30)),
        place="滨州市政务服务中心三楼第二会议室",
        agenda="一、项目单位汇报项目进展及存在问题\n二、各审批部门发表意见\n三、明确责任分工和办理时限",
        **_attendees(case, reps),
    )
    clock.set(_at(_working_days_before(day, 1), 9, 0))
    for attendee in meeting.attendees.filter(user__isnull=False).select_related("user"):
        services.reply_to_invitation(meeting=meeting, by=attendee.user, reply=Reply.ATTEND)
    clock.set(_at(day, 14, 20))
    services.record_minutes(meeting=meeting, by=chief, minutes=MINUTES)
    owners = {"rep": reps[0], "rep_2": reps[1] if len(reps) > 1 else reps[0]}
    decisions = [
        (services.add_decision(meeting=meeting, by=chief, text=text, owner=owners[owner],
                               working_days=days), done_after)
        for text, owner, days, done_after in DECISIONS
    ]
    clock.set(_at(day, 16, 0))
    services.publish_minutes(meeting=meeting, by=chief)
    for decision, done_after in decisions:
        if done_after is not None:
            clock.set(_at(add_working_days(day, done_after), 10, 45))
            services.complete_action(action=decision, by=decision.owner, note=DONE_NOTE)
    return meeting


def _upcoming_meeting(builder, case, chief, reps, today):
    clock = builder.clock
    clock.set(clock.latest())
    day = add_working_days(today, 2)
    meeting = services.convene_meeting(
        by=chief, case=case, kind=MeetingKind.PRE_REVIEW,
        title=f"{case.project.name}竣工验收前会商",
        starts_at=_aware(clock, _at(day, 15, 0)), ends_at=_aware(clock, _at(day, 16, 30)),
        place="滨州市政务服务中心三楼第一会议室", video_link="https://meeting.example.cn/bz/2087",
        agenda="一、联合验收准备情况\n二、各部门提前指导意见",
        **_attendees(case, reps),
    )
    if case.company_contact_id and case.company_contact.user_id:
        services.reply_to_invitation(meeting=meeting, by=case.company_contact.user,
                                     reply=Reply.ATTEND, note="项目负责人一同参会")
    return meeting


def _problem_meeting(builder, today):
    """The meeting the highest problem's level calls for, on that problem, three working days
    ahead, with what the convene page proposes for it."""
    problem = (Problem.objects.filter(level__in=list(PROBLEM_MEETINGS),
                                      state__in=AGENDA_PROBLEM_STATES)
               .select_related("case__agency", "case__project").order_by("-level", "pk").first())
    if problem is None:
        return None
    clock = builder.clock
    clock.set(clock.latest())
    day = add_working_days(today, 3)
    proposed = initial_for_problem(problem)
    representatives = list(User.objects.filter(pk__in=proposed["representatives"]))
    return services.convene_meeting(
        by=builder.chief_for(problem.case.agency), case=problem.case, kind=proposed["kind"],
        title=f"{proposed['title']}协调会", agenda=proposed["agenda"],
        starts_at=_aware(clock, _at(day, 9, 0)), ends_at=_aware(clock, _at(day, 10, 30)),
        place="滨州市政务服务中心三楼第二会议室",
        representatives=representatives,
        external_experts=[] if representatives else [EXTERNAL_EXPERT],
        problems=[problem],
    )
