"""Visits and activities in the demo (`manage.py demo_data`, called by bangban.core.demo).

At the city agency: an on-site visit to a company, a training on the approval reform, and a
government–enterprise interaction activity in each of the last two quarters (so the
quarterly statistics have figures for the quarter just reported and the current one); at the
first district agency an interaction activity (counted in the city's totals); and a return
visit after a completed case, recorded by its specialist and written to the case's ledger.

Nothing is added when any activity exists already (a second run).
"""

import datetime

from django.db import transaction

from bangban.accounts.models import Agency, Membership, Role
from bangban.cases.models import Case
from bangban.cases.workflow import CaseState
from bangban.companies.models import Company
from bangban.deadlines.workdays import is_working_day
from bangban.visits import services
from bangban.visits.models import Activity, ActivityKind
from bangban.visits.quarters import Quarter

ONE_DAY = datetime.timedelta(days=1)


def _working_day_on_or_before(day):
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def _at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour, 0))


def _specialist(agency):
    membership = (Membership.objects.filter(
        agency=agency, role__in=[Role.SPECIALIST, Role.CHIEF_SPECIALIST], user__is_active=True)
        .select_related("user").order_by("role", "pk").first())
    return membership.user if membership else None


def _activities(city, district, today):
    """(agency, kind, day, title, location, participants, summary, number of companies)."""
    this_quarter, last_quarter = Quarter.of(today), Quarter.of(today).previous()
    middle_of_last = last_quarter.first_day + datetime.timedelta(days=45)
    early_this = max(this_quarter.first_day + datetime.timedelta(days=10),
                     today - datetime.timedelta(days=20))
    rows = [
        (city, ActivityKind.INTERACTION, middle_of_last, "工程建设项目审批制度改革政企座谈会",
         "市政务服务中心三楼会议室", 42,
         "介绍审批制度改革最新政策，现场解答企业在施工许可、联合验收中遇到的问题，"
         "收集意见建议8条，已按分工交办相关部门。", 3),
        (city, ActivityKind.TRAINING, middle_of_last + datetime.timedelta(days=14),
         "帮办代办业务培训会", "市政务服务中心培训室", 35,
         "对市、区帮办代办专员开展业务培训，讲解容缺受理、告知承诺和跨层级推送流程。", 0),
        (city, ActivityKind.ON_SITE_VISIT, today - datetime.timedelta(days=6),
         "上门服务：项目现场踏勘与需求对接", "项目现场", 6,
         "会同自然资源、住建部门到项目现场踏勘，了解企业报建需求，现场确定代办方案。", 1),
        (city, ActivityKind.INTERACTION, early_this, "“面对面”政企互动交流活动",
         "市政务服务中心", 28, "围绕重点项目审批提速开展面对面交流，企业反映的问题现场答复。",
         2),
    ]
    if district is not None:
        rows.append((district, ActivityKind.INTERACTION, middle_of_last, "区级政企恳谈会",
                     "区政务服务中心", 18, "听取辖区企业对审批服务的意见建议。", 2))
    return [(agency, kind, _working_day_on_or_before(min(day, today)), *rest)
            for agency, kind, day, *rest in rows]


def play_visits(builder):
    """Adds the visits and activities to the demo; returns how many it recorded."""
    if Activity.objects.exists():
        return 0
    city = Agency.objects.filter(parent__isnull=True).order_by("path").first()
    if city is None:
        return 0
    district = Agency.objects.filter(parent=city).order_by("path").first()
    clock = builder.clock
    today = clock.real_local().date()
    companies = list(Company.objects.order_by("pk")[:5])
    recorded = 0
    with transaction.atomic():
        for agency, kind, day, title, location, count, summary, n in _activities(
                city, district, today):
            by = _specialist(agency)
            if by is None:
                builder.log(f"  note: no specialist at {agency} for “{title}”.")
                continue
            clock.set(_at(day, 17))
            services.record_activity(by=by, agency=agency, kind=kind, held_on=day, title=title,
                                     location=location, participants_count=count,
                                     summary=summary, companies=companies[:n])
            recorded += 1
        case = (Case.objects.filter(state=CaseState.COMPLETED, specialist__isnull=False)
                .select_related("agency", "project__company", "specialist")
                .order_by("-completed_at", "pk").first())
        if case is not None:
            day = _working_day_on_or_before(today - ONE_DAY)
            clock.set(_at(day, 16))
            services.record_activity(
                by=case.specialist, agency=case.agency, kind=ActivityKind.RETURN_VISIT,
                held_on=day, title="办结回访", participants_count=2, case=case,
                summary="电话回访项目单位，企业对代办服务表示满意，建议进一步压缩竣工验收时间。")
            recorded += 1
        else:
            builder.log("  note: no completed case for the return visit.")
    clock.stop()
    builder.created["visits and activities"] += recorded
    return recorded
