"""Contact cards and a progress query code in the demo (`manage.py demo_data`, called by
bangban.core.demo).

Every chief specialist, specialist and department representative of the demo publishes a
contact card through `services.save_contact_card`, with the staff number and title of their
membership. The specialist of the main company account's running case then issues its project
a query code through `services.issue_query_code`: the company and the specialist read it on
the case's query-code page (`public:query_code`).

A user who has a card keeps it, and a project that has a code keeps it: a second run adds
nothing.
"""

from bangban.accounts.models import Membership, Role
from bangban.cases.models import Case
from bangban.cases.workflow import CaseState
from bangban.public.models import ContactCard, ProgressQueryCode
from bangban.public.services import issue_query_code, save_contact_card
from bangban.public.workflow import DIRECTORY_ROLES

SERVICES = {
    Role.CHIEF_SPECIALIST: "受理帮办代办申请并指派专员\n重点项目“一对一”服务\n组织联席会议协调疑难问题",
    Role.SPECIALIST: "工程建设项目全流程帮办代办\n申请材料形式审核\n审批进度跟踪与催办",
    Role.DEPARTMENT_REPRESENTATIVE: "本部门审批事项咨询\n帮办代办事项受理与办理\n督办单答复",
}


def demo_query_case():
    """The case whose project gets the demo's query code: the main company account's running
    case with a published plan and a project code, else any such case."""
    cases = (Case.objects.filter(state=CaseState.IN_PROGRESS, specialist__isnull=False,
                                 plan_published_at__isnull=False, project__code__isnull=False)
             .select_related("specialist", "project").order_by("pk"))
    return (cases.filter(project__company__contacts__user__username="company").first()
            or cases.first())


def _cards(builder):
    memberships = (Membership.objects.filter(role__in=DIRECTORY_ROLES, user__is_active=True,
                                             user__contact_card__isnull=True)
                   .select_related("user").order_by("pk"))
    done = set()
    for membership in memberships:
        user = membership.user
        if user.pk in done:
            continue
        done.add(user.pk)
        save_contact_card(
            user=user, by=user, name=user.display_name, phone=user.phone,
            staff_number=membership.staff_number, title=membership.title,
            email=f"{user.username}@bangban.example", services=SERVICES[membership.role],
            is_published=True,
        )
        builder.created["contact cards"] += 1


def play_public(builder):
    """Adds the demo's contact cards and query code; returns how many cards it created."""
    before = ContactCard.objects.count()
    _cards(builder)
    if not ProgressQueryCode.objects.exists():
        case = demo_query_case()
        if case is None:
            builder.log("  note: no running case with a project code for the query code.")
        else:
            builder.clock.set(builder.clock.latest())
            try:
                issue_query_code(case=case, by=case.specialist)
                builder.created["query codes"] += 1
            finally:
                builder.clock.stop()
    return ContactCard.objects.count() - before
