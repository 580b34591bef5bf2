"""The policy library in the demo (`manage.py demo_data`, called by bangban.core.demo).

Policies are reference data an administrator keeps in the admin, so they are created directly
(titles, bodies and document numbers are made up for the demo). Two of them are then placed,
through `services.link_policy_to_case`, in the service guide of the main company account's
running case by its specialist, so the case's ledger shows it.

A policy whose title exists already is left alone, and a link that exists is not made again:
a second run adds nothing.
"""

import datetime

from django.db import transaction

from bangban.cases.models import Case
from bangban.cases.workflow import CaseState
from bangban.policies.models import CasePolicy, Policy, PolicyTag
from bangban.policies.services import link_policy_to_case

TAGS = {
    "tax": "税费减免",
    "land": "用地保障",
    "approval": "审批提速",
    "industry": "产业扶持",
    "green": "绿色建筑",
    "talent": "人才引进",
}

POLICIES = [
    {
        "title": "关于进一步深化工程建设项目审批制度改革优化营商环境的若干措施",
        "issuing_body": "滨州市人民政府办公室", "document_number": "滨政办字〔2025〕18号",
        "issued_on": (2025, 3, 20), "valid_until": (2027, 12, 31), "tags": ["approval"],
        "summary": "社会投资简易低风险项目审批全流程压缩至15个工作日以内；推行告知承诺制和"
                   "容缺受理；全面实行工程建设项目帮办代办，服务全程免费。",
        "body": "一、推行审批服务“一网通办”。\n二、实行社会投资简易低风险项目“一站式”审批。\n"
                "三、全面推行帮办代办服务，由帮办代办专员一对一服务项目单位，服务免费。",
    },
    {
        "title": "支持先进制造业项目建设的若干政策",
        "issuing_body": "滨州市发展和改革委员会", "document_number": "滨发改投资〔2025〕42号",
        "issued_on": (2025, 5, 8), "valid_until": (2026, 12, 31),
        "tags": ["industry", "tax", "land"],
        "summary": "对新建先进制造业项目按设备投资额给予补助；优先保障项目用地指标；"
                   "城市基础设施配套费按规定减免。",
        "body": "第一条 对固定资产投资5000万元以上的先进制造业项目，按设备投资额的一定比例给予补助。\n"
                "第二条 优先安排年度新增建设用地计划指标。\n"
                "第三条 符合条件的项目城市基础设施配套费按规定予以减免。",
    },
    {
        "title": "工业项目“标准地”出让实施办法",
        "issuing_body": "滨州市自然资源和规划局", "document_number": "滨自然资规〔2024〕6号",
        "issued_on": (2024, 9, 2), "valid_until": None, "tags": ["land", "approval"],
        "summary": "新增工业用地按“标准地”出让，出让前完成区域评估，明确亩均投资、"
                   "亩均税收等控制性指标，实现“拿地即开工”。",
        "body": "",
    },
    {
        "title": "绿色建筑和装配式建筑发展扶持办法",
        "issuing_body": "滨州市住房和城乡建设局", "document_number": "滨建发〔2024〕21号",
        "issued_on": (2024, 6, 15), "valid_until": (2025, 6, 30), "tags": ["green"],
        "summary": "对取得二星级以上绿色建筑标识的项目给予奖励；装配式建筑项目在容积率计算、"
                   "预售资金监管等方面给予支持。",
        "body": "",
    },
    {
        "title": "重点项目引进高层次人才服务保障办法",
        "issuing_body": "滨州市人力资源和社会保障局", "document_number": "滨人社发〔2025〕9号",
        "issued_on": (2025, 2, 10), "valid_until": None, "tags": ["talent"],
        "summary": "为重点项目引进的高层次人才提供安居补贴、子女入学和医疗保障等服务，"
                   "由帮办代办专员协助办理。",
        "body": "",
    },
]

LINKS = [
    (0, "项目适用社会投资项目审批提速措施，可申请容缺受理。"),
    (1, "项目属先进制造业，可按设备投资额申请补助，专员将协助准备申报材料。"),
]


def _date(parts):
    return datetime.date(*parts) if parts else None


def _demo_case():
    """The main company account's running case, else any running case with a specialist."""
    running = (Case.objects.filter(state=CaseState.IN_PROGRESS, specialist__isnull=False)
               .select_related("specialist").order_by("pk"))
    return (running.filter(project__company__contacts__user__username="company").first()
            or running.first())


def play_policies(builder):
    """Adds the demo's policies and links; returns how many policies it created."""
    created = 0
    with transaction.atomic():
        tags = {}
        for slug, name in TAGS.items():
            tags[slug], _ = PolicyTag.objects.get_or_create(slug=slug, defaults={"name": name})
        policies = []
        for entry in POLICIES:
            policy = Policy.objects.filter(title=entry["title"]).first()
            if policy is None:
                policy = Policy(
                    title=entry["title"], issuing_body=entry["issuing_body"],
                    document_number=entry["document_number"],
                    issued_on=_date(entry["issued_on"]), valid_until=_date(entry["valid_until"]),
                    summary=entry["summary"], body=entry["body"],
                )
                policy.full_clean()
                policy.save()
                policy.tags.set([tags[slug] for slug in entry["tags"]])
                created += 1
            policies.append(policy)
    builder.created["policies"] += created
    case = _demo_case()
    if case is None:
        builder.log("  note: no running case to link demo policies to.")
        return created
    builder.clock.set(builder.clock.latest())
    try:
        for index, note in LINKS:
            if not CasePolicy.objects.filter(case=case, policy=policies[index]).exists():
                link_policy_to_case(case=case, policy=policies[index], by=case.specialist,
                                    note=note)
                builder.created["policy links"] += 1
    finally:
        builder.clock.stop()
    return created
