"""Ratings in the demo (`manage.py demo_data`, called by bangban.core.demo).

Companies rate some of the items decided and cases completed in the demo's stories, through
the services, on the demo's simulated clock: a couple of hours after each decision. Most
ratings are good; one is entered at the window by the specialist; one is bad and is under
rectification (verified as founded, measures recorded, the return visit still to do); one bad
one was found unfounded, explained to the company and closed.

The demo company's account ("company") keeps its most recent decisions unrated, so that its
"evaluate" page has something to rate. Nothing is added when any rating exists already.
"""

import datetime

from django.db import transaction

from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import CaseState
from bangban.companies.models import CompanyContact
from bangban.deadlines.workdays import add_working_days
from bangban.evaluations import services
from bangban.evaluations.models import Evaluation
from bangban.evaluations.selectors import RATABLE_ITEM_STATES
from bangban.evaluations.workflow import EvaluationChannel

# The demo company's account, whose latest decisions are left for a visitor to rate.
MAIN_COMPANY_USER = "company"
LEFT_FOR_THE_VISITOR = 2

# (scenario, rating, comment), in the order the candidates are used, the oldest first.
ITEM_SCENARIOS = [
    ("portal", 1, "专员全程跟进，材料一次性告知，办理很快。"),
    ("closed_unfounded", 4, "审批时间比预期长，希望能提前告知办理进度。"),
    ("portal", 2, ""),
    ("window", 2, "窗口当面评价：服务态度好。"),
    ("portal", 3, "整体顺利，个别材料要求前后不一致。"),
    ("under_rectification", 5, "补正材料被退回三次，每次要求都不一样，耽误了开工时间。"),
    ("portal", 1, "主动上门服务，解决了管线迁改的难题。"),
]
CASE_COMMENT = "从立项到竣工验收全程代办，省去了很多跑腿，非常满意。"
FINDING_FOUNDED = "经核实，专员未一次性告知补正要求，部门前后两次审查意见不一致，投诉属实。"
MEASURES = "对专员进行约谈提醒，修订该事项一次性告知清单，并与审批部门建立审查意见会签机制。"
FINDING_UNFOUNDED = "经核实，该事项在承诺时限内办结，延长部分为法定专家评审时间，不计入办理时限。"
FEEDBACK = "电话回访项目单位经办人，已解释专家评审程序，企业表示理解并认可。"


def _local(moment, clock):
    return moment.astimezone(clock.tz).replace(tzinfo=None)


def _rating_moment(decided_at, clock):
    """Two hours after the decision, but never after the demo's last office-hours moment."""
    return min(_local(decided_at, clock) + datetime.timedelta(hours=2), clock.latest())


def _later(moment, working_days, hour):
    day = add_working_days(moment.date(), working_days)
    return datetime.datetime.combine(day, datetime.time(hour, 15))


def _candidates():
    items = list(
        CaseItem.objects.filter(state__in=RATABLE_ITEM_STATES, decided_at__isnull=False,
                                case__company_contact__user__isnull=False)
        .select_related("case__agency", "case__specialist", "case__company_contact__user",
                        "case__project")
        .order_by("decided_at", "pk")
    )
    cases = list(
        Case.objects.filter(state=CaseState.COMPLETED, completed_at__isnull=False,
                            company_contact__user__isnull=False)
        .select_related("agency", "specialist", "company_contact__user", "project")
        .order_by("completed_at", "pk")
    )
    kept = [i for i in items if i.case.company_contact.user.username == MAIN_COMPANY_USER]
    kept = {i.pk for i in kept[-LEFT_FOR_THE_VISITOR:]}
    return [i for i in items if i.pk not in kept], cases


def play_evaluations(builder):
    """Adds the demo's ratings; returns how many it added."""
    if Evaluation.objects.exists():
        return 0
    clock = builder.clock
    items, cases = _candidates()
    # The bad ratings want recent decisions, so that their deadlines are still running.
    picks = items[-len(ITEM_SCENARIOS):]
    if len(picks) < len(ITEM_SCENARIOS):
        builder.log(f"  note: only {len(picks)} decided items to rate.")
    added = 0
    for item, (scenario, rating, comment) in zip(picks, ITEM_SCENARIOS[-len(picks):]):
        with transaction.atomic():
            _play_item(builder, item, scenario, rating, comment)
        clock.stop()
        added += 1
    for case in cases[:1]:
        with transaction.atomic():
            clock.set(_rating_moment(case.completed_at, clock))
            services.submit_evaluation(by=case.company_contact.user, case=case, rating=1,
                                       comment=CASE_COMMENT)
        clock.stop()
        added += 1
    builder.created["evaluations"] += added
    return added


def _play_item(builder, item, scenario, rating, comment):
    clock = builder.clock
    case = item.case
    moment = _rating_moment(item.decided_at, clock)
    clock.set(moment)
    if scenario == "window":
        contact = CompanyContact.objects.filter(company_id=case.project.company_id).order_by(
            "-is_representative", "pk").first()
        services.submit_evaluation(by=case.specialist, case=case, item=item, rating=rating,
                                   comment=comment, channel=EvaluationChannel.WINDOW,
                                   contact=contact)
        return
    evaluation = services.submit_evaluation(by=case.company_contact.user, case=case, item=item,
                                            rating=rating, comment=comment)
    if scenario == "portal":
        return
    chief = builder.chief_for(case.agency)
    rectification = evaluation.rectification
    steps = {
        "under_rectification": [
            (1, services.verify_rectification, {"founded": True, "finding": FINDING_FOUNDED}),
            (2, services.rectify, {"measures": MEASURES}),
        ],
        "closed_unfounded": [
            (1, services.verify_rectification, {"founded": False, "finding": FINDING_UNFOUNDED}),
            (2, services.record_return_visit, {"feedback": FEEDBACK}),
            (3, services.close_rectification, {"note": ""}),
        ],
    }[scenario]
    for days, service, arguments in steps:
        step_moment = _later(moment, days, 9 + days)
        if step_moment > clock.latest():
            builder.log(f"  note: {case.number}: the rectification stops before "
                        f"“{service.__name__}”, which would be in the future.")
            return
        clock.set(step_moment)
        rectification = service(rectification=rectification, by=chief, **arguments)
