"""A problem climbs all four levels in a real browser (issue 4, items 1 and 11; Hunan
三(二)3(3)): specialist (1) → chief responsible person (2) → joint meeting (3) → leadership
special meeting (4), then the chief closes it with a reason.

The specialist raises the problem on the case's problem page and escalates it to level 2; the
chief takes it to 3 and 4 and closes it. A second problem, raised by the company, is escalated
by the worker (`escalate_overdue_problems`) the day after its level's due date, and the page
shows that step as automatic; the worker leaves the problem at the top level alone.

Every action opens in the problem page's htmx modal. After each step the test checks the
database (level, state, escalation rows, ledger) and the page: `#problem-header`'s
`data-problem-level` / `data-problem-state` and the level ladder `#problem-levels
li[data-level]`. Nothing is found by its text, so the test holds in either language.
Screenshots: test-artifacts/screenshots/problem-escalation-NN-<step>.png.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.accounts.system import system_user
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import ItemState
from bangban.problems import services as problem_services
from bangban.problems.jobs import escalate_overdue_problems
from bangban.problems.models import Problem
from bangban.problems.workflow import Closure, ProblemLevel, ProblemState
from tests.browser.fixtures import SCREENSHOT_DIR, log_in, screenshot
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Desk:
    """The two staff members' pages and the moves every step repeats."""

    def __init__(self, live_server, new_page):
        self.live_server = live_server
        self.new_page = new_page
        self.step = 0
        for old in SCREENSHOT_DIR.glob("problem-escalation-*.png"):
            old.unlink()

    def url(self, path):
        return self.live_server.url + path

    def open_as(self, user):
        page = self.new_page()
        log_in(page, self.live_server, user, via_form=True)
        return page

    def shot(self, page, name):
        self.step += 1
        screenshot(page, f"problem-escalation-{self.step:02d}-{name}")

    @staticmethod
    def reloads(page, click):
        """Clicks, then waits until a new page has loaded (a plain form's redirect, or the
        client-side redirect an htmx form answers with)."""
        page.evaluate("document.body.dataset.stale = 'yes'")
        click()
        page.locator("body:not([data-stale])").wait_for(state="attached")
        page.wait_for_load_state("load")

    @staticmethod
    def open_action(page, name):
        page.click(f"#problem-actions a[data-problem-action={name}]")
        form = page.locator(f"#action-modal #action-form[data-action={name}]")
        form.wait_for()
        return form

    def act(self, page, name, **fields):
        """Opens a problem action in the modal, fills its fields, submits, waits for the page."""
        form = self.open_action(page, name)
        for field, value in fields.items():
            form.locator(f"[name={field}]").fill(value)
        self.reloads(page, lambda: form.locator(f"button[name=submit][value={name}]").click())
        errors = page.locator(".alert-danger")
        assert errors.count() == 0, errors.first.inner_text()


def ladder(page):
    return page.locator("#problem-levels li").evaluate_all(
        "items => items.map(i => [Number(i.dataset.level), i.dataset.automatic === 'true'])")


def header(page):
    element = page.locator("#problem-header")
    return int(element.get_attribute("data-problem-level")), element.get_attribute(
        "data-problem-state")


def actions(page):
    return set(page.locator("[data-problem-action]").evaluate_all(
        "links => links.map(a => a.dataset.problemAction)"))


def assert_escalated(problem, *, to, by, automatic=False):
    """The problem is open at level `to`, and its last escalation row says who took it there
    and gives the new level's due date."""
    problem.refresh_from_db()
    assert (problem.level, problem.state) == (to, ProblemState.OPEN)
    escalation = problem.escalations.get(to_level=to)
    assert (escalation.from_level, escalation.by, escalation.automatic) == (to - 1, by, automatic)
    assert escalation.due_on == problem.due_on
    if to < ProblemLevel.LEADERSHIP_MEETING:
        assert problem.next_escalation_on > problem.due_on
    else:
        assert problem.next_escalation_on is None  # nothing automatic above the top level
    return escalation


def test_a_problem_climbs_the_four_levels_and_the_chief_closes_it(live_server, new_page):
    specialist = UserFactory(username="specialist", full_name="孙专员")
    case = CaseFactory(in_progress=True, specialist=specialist,
                       plan_published_at=timezone.now())
    agency = case.agency
    MembershipFactory(user=specialist, agency=agency, role=Role.SPECIALIST)
    chief = MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST,
                              user=UserFactory(username="chief", full_name="周首席")).user
    housing = DepartmentFactory(agency=agency, name="滨州市住房和城乡建设局")
    MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE, department=housing)
    item = CaseItemFactory(case=case, department=housing, state=ItemState.ACCEPTED,
                           matter__name="建筑工程施工许可证")
    desk = Desk(live_server, new_page)

    # ------------------------------------------------ 1. the specialist raises the problem
    page = specialist_page = desk.open_as(specialist)
    page.goto(desk.url(reverse("problems:for_case", args=[case.pk])))
    desk.reloads(page, lambda: page.click("#raise-problem"))
    form = page.locator("#raise-form")
    form.locator("[name=item]").select_option(str(item.pk))
    form.locator("[name=title]").fill("消防设计审查意见迟迟未出具")
    form.locator("[name=description]").fill("施工图已提交十个工作日，消防审查仍无意见")
    form.locator("[name=requested_outcome]").fill("请住建局明确出具审查意见的时间")
    desk.shot(page, "specialist-raises")
    desk.reloads(page, lambda: form.locator("button[name=submit][value=raise]").click())
    problem = Problem.objects.get()
    assert (problem.case, problem.item, problem.department) == (case, item, housing)
    assert (problem.raised_by, problem.raised_as) == (specialist, Role.SPECIALIST)
    assert (problem.level, problem.state) == (ProblemLevel.SPECIALIST, ProblemState.OPEN)
    assert problem.due_on > timezone.localdate()
    assert problem.next_escalation_on > problem.due_on
    listed = page.locator(f"#problems li[data-problem='{problem.number}']")
    assert listed.get_attribute("data-problem-state") == ProblemState.OPEN
    assert listed.locator("[data-problem-level]").get_attribute("data-problem-level") == "1"

    detail_path = reverse("problems:detail", args=[problem.pk])
    desk.reloads(page, lambda: listed.locator(f"a[href='{detail_path}']").click())
    assert header(page) == (1, ProblemState.OPEN)
    assert ladder(page) == [[1, False]]
    # Only the department (or the chief) answers, only the chief closes.
    assert actions(page) == {"escalate", "feedback_letter"}
    desk.shot(page, "level-1")

    # ------------------------------------------------ 2. the specialist escalates 1 → 2
    # Without a reason the modal says what is missing and nothing changes.
    form = desk.open_action(page, "escalate")
    form.locator("button[name=submit][value=escalate]").click()
    form.locator("[name=reason] ~ .text-danger[role=alert]").wait_for()
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.SPECIALIST and not problem.escalations.exists()
    desk.shot(page, "escalation-needs-a-reason")
    form.locator("[name=reason]").fill("部门三个工作日未答复，请首席服务专员协调")
    desk.reloads(page, lambda: form.locator("button[name=submit][value=escalate]").click())
    assert_escalated(problem, to=ProblemLevel.CHIEF, by=specialist)
    assert header(page) == (2, ProblemState.OPEN)
    assert ladder(page) == [[1, False], [2, False]]
    assert page.locator("#problem-due-on").inner_text().strip() == problem.due_on.isoformat()
    desk.shot(page, "level-2")

    # ------------------------------------------------ 3. the chief escalates 2 → 3 → 4
    page = desk.open_as(chief)
    page.goto(desk.url(reverse("problems:list")))
    row = page.locator(f"#problems li[data-problem='{problem.number}']")
    assert row.locator("[data-problem-level]").get_attribute("data-problem-level") == "2"
    desk.reloads(page, lambda: row.locator(f"a[href='{detail_path}']").click())
    assert actions(page) == {"answer", "escalate", "feedback_letter", "close"}
    desk.act(page, "escalate", reason="协调未果，提请联席会议研究")
    assert_escalated(problem, to=ProblemLevel.JOINT_MEETING, by=chief)
    assert header(page) == (3, ProblemState.OPEN)
    assert ladder(page) == [[1, False], [2, False], [3, False]]
    desk.shot(page, "level-3")

    desk.act(page, "escalate", reason="联席会议未能解决，提请领导专题会议")
    assert_escalated(problem, to=ProblemLevel.LEADERSHIP_MEETING, by=chief)
    assert header(page) == (4, ProblemState.OPEN)
    assert ladder(page) == [[1, False], [2, False], [3, False], [4, False]]
    assert "escalate" not in actions(page)  # the top level
    desk.shot(page, "level-4")

    # The specialist's page shows the same ladder, and nothing left to escalate.
    specialist_page.goto(desk.url(detail_path))
    assert header(specialist_page) == (4, ProblemState.OPEN)
    assert [level for level, _auto in ladder(specialist_page)] == [1, 2, 3, 4]
    assert actions(specialist_page) == {"feedback_letter"}

    # ------------------------------------------------ 4. the worker escalates another problem
    company_user = case.company_contact.user
    overdue = problem_services.raise_problem(
        case=case, by=company_user, item=item, title="规划许可证核发延迟",
        description="已超过承诺时限", requested_outcome="请尽快核发",
    )
    assert overdue.raised_as == Role.APPLICANT and overdue.level == ProblemLevel.SPECIALIST
    # On its last day at level 1 nothing happens; the next day the worker takes it up.
    assert escalate_overdue_problems(today=overdue.due_on) == 0
    assert escalate_overdue_problems(today=overdue.next_escalation_on) == 1
    assert escalate_overdue_problems(today=overdue.next_escalation_on) == 0  # idempotent
    assert_escalated(overdue, to=ProblemLevel.CHIEF, by=system_user(), automatic=True)
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.LEADERSHIP_MEETING and problem.escalations.count() == 3
    entry = LedgerEntry.objects.get(case=case, action="problem_escalate",
                                    details__problem=overdue.number)
    assert (entry.actor, entry.actor_role) == (system_user(), "system")

    page.goto(desk.url(reverse("problems:detail", args=[overdue.pk])))
    assert header(page) == (2, ProblemState.OPEN)
    assert ladder(page) == [[1, False], [2, True]]
    desk.shot(page, "automatic-escalation")

    # ------------------------------------------------ 5. the chief closes with a reason
    page.goto(desk.url(detail_path))
    desk.act(page, "close", reason="领导专题会议已明确由住建局限期出具意见，企业同意结束")
    problem.refresh_from_db()
    assert (problem.state, problem.closure) == (ProblemState.CLOSED, Closure.WITH_REASON)
    assert problem.closed_by == chief and problem.closed_at is not None
    assert problem.closing_reason == "领导专题会议已明确由住建局限期出具意见，企业同意结束"
    assert problem.level == ProblemLevel.LEADERSHIP_MEETING and problem.next_escalation_on is None
    assert header(page) == (4, ProblemState.CLOSED)
    assert page.locator("#problem-closing").count() == 1
    assert actions(page) == set()
    assert [level for level, _auto in ladder(page)] == [1, 2, 3, 4]
    desk.shot(page, "closed")

    # The case's ledger and the problem's history tell the same story.
    expected = [
        ("problem_raise", specialist, Role.SPECIALIST),
        ("problem_escalate", specialist, Role.SPECIALIST),
        ("problem_escalate", chief, Role.CHIEF_SPECIALIST),
        ("problem_escalate", chief, Role.CHIEF_SPECIALIST),
        ("problem_close", chief, Role.CHIEF_SPECIALIST),
    ]
    entries = LedgerEntry.objects.filter(case=case, details__problem=problem.number)
    assert [(e.action, e.actor, e.actor_role) for e in entries.order_by("at", "pk")] == expected
    shown = page.locator("#problem-history tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.ledgerAction)")
    assert shown == [action for action, _by, _role in expected]
