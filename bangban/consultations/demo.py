"""Consultations in the demo (`manage.py demo_data`, called by bangban.core.demo).

Five inquiries at the city agency over the last weeks, one per channel, logged through the
services on the demo's simulated clock: a first inquiry by phone from a company not yet on
the platform (the service recommended, the prefilled application shown), a window inquiry
from a registered company's contact that was turned into a draft application for them, a
WeChat follow-up by the same asker (not a first inquiry), a video call answered by the chief
specialist in place of the first responder, and an online question still awaiting its answer.

Nothing is added when any consultation exists already (a second run).
"""

import datetime

from django.db import transaction

from bangban.accounts.models import Agency, Membership, Role
from bangban.cases.models import ServiceMode, ServiceScope
from bangban.companies.models import CompanyContact
from bangban.consultations import services
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import Channel
from bangban.deadlines.workdays import is_working_day
from bangban.projects.models import Project

ONE_DAY = datetime.timedelta(days=1)

UNREGISTERED = {
    "asker_name": "韩立军", "asker_company_name": "滨州鲁北新材料科技有限公司",
    "asker_phone": "13905431876", "project_hint": "年产5万吨新型建材项目，拟选址滨北工业园",
}
FIRST_QUESTION = "我公司计划在滨北新建一个建材生产项目，想了解从立项到开工需要办哪些手续，大概需要多长时间？"
FIRST_ANSWER = ("一般工业项目需办理项目备案、用地规划许可、工程规划许可、施工图审查、施工许可等事项，"
                "承诺时限合计约60个工作日。已向企业推介帮办代办服务：免费、一对一专员全程代办，"
                "并指导填写项目基本信息表。")
WINDOW_QUESTION = "我们的项目已经备案，想申请全程代办，需要准备哪些材料？"
WINDOW_ANSWER = ("已说明全程代办的办理流程及所需材料清单，企业同意申请代办服务，"
                 "由窗口专员据此预填代办申请，请企业核对后提交。")
FOLLOW_UP = "请问施工图审查能否与工程规划许可并联办理？"
FOLLOW_UP_ANSWER = "符合条件的可实行并联审查，已告知企业同步准备施工图设计文件。"
VIDEO_QUESTION = "项目涉及人防工程，易地建设费如何计算？"
VIDEO_ANSWER = "已解答人防易地建设费的计算标准及减免政策，并发送政策原文链接。"
ONLINE_QUESTION = "竣工联合验收需要提前多久预约？"


def _working_days_before(day, count):
    while count:
        day -= ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def _staff(agency, role, preferred):
    memberships = Membership.objects.filter(agency=agency, role=role,
                                            user__is_active=True).select_related("user")
    chosen = (memberships.filter(user__username=preferred).first()
              or memberships.order_by("pk").first())
    return chosen.user if chosen else None


def _registered_asker(agency):
    """A contact with an account and a project of their company filed with the agency, a
    project without an application first."""
    projects = (Project.objects.filter(agency__path__startswith=agency.path,
                                       company__contacts__user__is_active=True)
                .select_related("company", "agency").distinct().order_by("pk"))
    project = (projects.filter(cases__isnull=True).first() or projects.first())
    if project is None:
        return None, None
    contact = (CompanyContact.objects.filter(company=project.company, user__is_active=True)
               .select_related("user").order_by("-is_representative", "pk").first())
    return contact, project


def play_consultations(builder):
    """Adds the consultations to the demo; returns how many it logged."""
    if Consultation.objects.exists():
        return 0
    agency = Agency.objects.filter(parent__isnull=True).order_by("path").first()
    specialist = agency and _staff(agency, Role.SPECIALIST, "specialist")
    if specialist is None:
        builder.log("  note: no specialist at the city agency for the consultations.")
        return 0
    chief = builder.chief_for(agency)
    clock = builder.clock
    today = clock.real_local().date()
    contact, project = _registered_asker(agency)
    logged = 0
    with transaction.atomic():
        clock.set(_at(_working_days_before(today, 12), 9, 40))
        services.record_consultation(
            by=specialist, agency=agency, channel=Channel.PHONE, question=FIRST_QUESTION,
            answer=FIRST_ANSWER, service_recommended=True, **UNREGISTERED)
        logged += 1
        clock.set(_at(_working_days_before(today, 9), 14, 10))
        services.record_consultation(
            by=specialist, agency=agency, channel=Channel.WECHAT, question=FOLLOW_UP,
            answer=FOLLOW_UP_ANSWER, service_recommended=False, **UNREGISTERED)
        logged += 1
        if contact is not None:
            day = _working_days_before(today, 7)
            clock.set(_at(day, 10, 5))
            consultation = services.record_consultation(
                by=specialist, agency=agency, channel=Channel.WINDOW,
                asker_name=contact.name, asker_phone=contact.phone,
                company=project.company, company_contact=contact, project=project,
                question=WINDOW_QUESTION, answer=WINDOW_ANSWER, service_recommended=True)
            clock.set(_at(day, 10, 35))
            services.convert_to_application(
                consultation=consultation, by=specialist, project=project,
                company_contact=contact, mode=ServiceMode.AGENT, scope=ServiceScope.FULL,
                project_summary=project.description or project.name,
                requested_items_note=WINDOW_QUESTION)
            logged += 1
        else:
            builder.log("  note: no company contact with an account for the converted "
                        "consultation.")
        day = _working_days_before(today, 4)
        clock.set(_at(day, 15, 20))
        video = services.record_consultation(
            by=specialist, agency=agency, channel=Channel.VIDEO, asker_name="刘晓燕",
            asker_company_name="滨州黄河三角洲置业有限公司", asker_phone="13854329012",
            question=VIDEO_QUESTION, service_recommended=True)
        clock.set(_at(_working_days_before(today, 3), 9, 15))
        services.answer_consultation(consultation=video, by=chief, answer=VIDEO_ANSWER)
        logged += 1
        clock.set(_at(_working_days_before(today, 1), 16, 30))
        services.record_consultation(
            by=specialist, agency=agency, channel=Channel.ONLINE, asker_name="周涛",
            asker_company_name="滨州市城投建设发展有限公司", question=ONLINE_QUESTION,
            service_recommended=True)
        logged += 1
    clock.stop()
    builder.created["consultations"] += logged
    return logged
