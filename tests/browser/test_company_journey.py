"""A company's journey on a phone (issue 4, items 6, 9 and 11), in a real browser 375 px wide.

The company does its part through the pages: it registers with the code sent to its phone,
adds its project, applies, answers the department's supplement request, raises a problem on
the item, and evaluates the item once it is decided. The service side's steps in between
(accept, plan, push, the department's acceptance, request and approval) go through the
services, as the unit tests set up their state.

On every page the company sees, the document must not scroll sideways
(`scrollWidth <= 375`); after every browser step the test checks the database. Fields and
buttons are found by their names and data-* hooks, never by their labels, so the test holds in
either language. Screenshots: test-artifacts/screenshots/company-journey-NN-<step>.png.
"""

import re

import pytest
from django.urls import reverse

from bangban.accounts.models import DepartmentKind, Role
from bangban.cases import services as case_services
from bangban.cases.models import Case, LedgerEntry, ServiceMode
from bangban.cases.workflow import CaseState, ItemState
from bangban.companies.models import CompanyContact
from bangban.documents.models import Document, DocumentKind
from bangban.evaluations.models import Evaluation
from bangban.evaluations.workflow import EvaluationChannel, RectificationState
from bangban.notifications.models import OutboxMessage
from bangban.problems.models import Problem
from bangban.problems.workflow import ProblemLevel, ProblemState
from bangban.projects.models import Project
from tests.browser.fixtures import SCREENSHOT_DIR, screenshot
from tests.factories import (
    PDF_BYTES,
    AgencyFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    StageFactory,
    pdf_upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375
MOBILE = "13800138000"

# What sticks out of the screen, to say what overflows when the check fails.
OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.parentElement.closest('.table-responsive, .modal'))
  .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""


class Phone:
    """The company's phone: one page 375 px wide, and the checks every page gets."""

    def __init__(self, live_server, page):
        self.live_server = live_server
        self.page = page
        self.step = 0
        page.set_viewport_size({"width": WIDTH, "height": 812})
        for old in SCREENSHOT_DIR.glob("company-journey-*.png"):
            old.unlink()

    def goto(self, path):
        self.page.goto(self.live_server.url + path)

    def fits(self, name):
        """The page as it is now does not scroll sideways; saves its screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        self.step += 1
        screenshot(page, f"company-journey-{self.step:02d}-{name}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, (page.url, width, page.evaluate(OVERFLOWING))

    def reloads(self, click):
        """Clicks, then waits until a new page has loaded (a plain form's redirect, or the
        client-side redirect an htmx form answers with)."""
        self.page.evaluate("document.body.dataset.stale = 'yes'")
        click()
        self.page.locator("body:not([data-stale])").wait_for(state="attached")
        self.page.wait_for_load_state("load")

    def no_errors(self):
        errors = self.page.locator(".alert-danger, .text-danger[role=alert]")
        assert errors.count() == 0, errors.first.inner_text()


def test_a_company_walks_its_journey_on_a_phone(live_server, browser_page):
    # ------------------------------------------------------------- reference data only
    agency = AgencyFactory(name="曲江区行政服务中心")
    chief = MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user
    specialist = MembershipFactory(agency=agency, role=Role.SPECIALIST,
                                   user__full_name="孙专员").user
    housing = DepartmentFactory(agency=agency, name="曲江区住房和城乡建设局",
                                kind=DepartmentKind.HOUSING_CONSTRUCTION)
    representative = MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                       department=housing).user
    permit = MatterFactory(stage=StageFactory(code=3, name="施工许可"), name="建筑工程施工许可证",
                           department_kind=DepartmentKind.HOUSING_CONSTRUCTION)
    phone = Phone(live_server, browser_page)
    page = phone.page

    # ------------------------------------------------------------- 1. register, with the code
    phone.goto(reverse("companies:register"))
    phone.fits("register")
    for name, value in {
        "company_name": "韶关曲江新材料有限公司", "credit_code": "91350100M000100Y43",
        "legal_representative": "王强", "address": "韶关市曲江区马坝镇",
        "username": "lihua", "password1": "Qujiang-2026!", "password2": "Qujiang-2026!",
        "full_name": "李华", "phone": MOBILE, "email": "lihua@example.com",
    }.items():
        page.fill(f"[name={name}]", value)
    phone.reloads(lambda: page.click("button[type=submit].btn-primary"))
    page.locator("[data-verify-form] [name=code]").wait_for()
    assert not CompanyContact.objects.exists()  # nothing is created before the code is back
    message = OutboxMessage.objects.get(event="registration_code", address=MOBILE)
    phone.fits("verify-code")
    page.fill("[name=code]", re.search(r"(?<!\d)\d{6}(?!\d)", message.body).group(0))
    phone.reloads(lambda: page.click("[data-verify-form] button[type=submit]"))
    page.locator(".bb-user").wait_for(state="attached")  # in the collapsed menu on a phone
    contact = CompanyContact.objects.select_related("company", "user").get()
    company, user = contact.company, contact.user
    assert company.credit_code == "91350100M000100Y43" and company.name == "韶关曲江新材料有限公司"
    assert (user.username, contact.name, contact.phone) == ("lihua", "李华", MOBILE)
    assert contact.is_representative and contact.is_administrator and user.is_active
    phone.fits("workbench")

    # ------------------------------------------------------------- 2. add the project, apply
    phone.goto(reverse("applications:new"))
    phone.fits("application-without-project")
    phone.reloads(lambda: page.click(f"a[href^='{reverse('projects:create')}']"))
    phone.fits("project-form")
    page.fill("[name=name]", "曲江新材料产业园一期")
    page.select_option("[name=category]", "C")
    page.select_option("[name=investment_type]", "social")
    page.fill("[name=location]", "韶关市曲江区白土镇")
    page.fill("[name=total_investment]", "35000")
    page.fill("[name=description]", "新建厂房及配套设施")
    page.select_option("[name=agency]", str(agency.pk))
    phone.reloads(lambda: page.click("main button[type=submit].btn-primary"))
    project = Project.objects.get()
    assert (project.company, project.agency, project.name) == (company, agency, "曲江新材料产业园一期")

    page.locator("[name=project_summary]").wait_for()
    assert page.input_value("[name=project_summary]") == "新建厂房及配套设施"
    phone.fits("application-form")
    page.check(f"[name=mode][value={ServiceMode.ASSIST}]")
    page.check("[name=scope][value=single]")
    page.check(f"[name=requested_matters][value='{permit.pk}']")
    page.fill("[name=requested_items_note]", "希望尽快取得施工许可")
    phone.reloads(lambda: page.click("button[name=action][value=submit]"))
    page.locator(".badge-state-submitted").wait_for()
    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED and case.project == project
    assert (case.mode, case.scope, case.company_contact) == (ServiceMode.ASSIST, "single", contact)
    assert list(case.requested_matters.all()) == [permit]
    phone.fits("case-submitted")
    case_path = reverse("cases:detail", args=[case.pk])

    # -------------------------------------- the service side, through the services: accept,
    # plan, push; the department accepts and asks for more material.
    case_services.accept_application(case=case, by=chief, specialist=specialist)
    case_services.generate_plan(case=case, by=specialist)
    case_services.publish_plan(case=case, by=specialist)
    item = case.items.get()
    case_services.start_preparing(item=item, by=specialist)
    case_services.pass_review(item=item, by=specialist)
    case_services.push_item(item=item, by=specialist)
    case_services.accept_item(item=item, by=representative)
    request = case_services.request_supplement(item=item, by=representative,
                                               reason="请补充施工合同扫描件")

    # ------------------------------------------------------------- 3. answer the supplement
    phone.goto(case_path)
    state = page.locator(f"#item-{item.pk} [class*=badge-state-]")
    assert "badge-state-supplement_requested" in state.get_attribute("class")
    phone.fits("case-supplement-requested")
    page.click(f"#item-{item.pk} [data-item-action=supply_supplement]")
    modal = page.locator("#action-modal")
    modal.locator("#action-form[data-action=supply_supplement]").wait_for()
    modal.locator("[name=answer]").fill("已上传施工合同扫描件")
    modal.locator("[name=files]").set_input_files(files=[
        {"name": "施工合同.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    ])
    phone.fits("supplement-form")
    phone.reloads(lambda: modal.locator("button[type=submit]").click())
    phone.no_errors()
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.state == ItemState.ACCEPTED
    assert request.supplied_by == user and request.answer == "已上传施工合同扫描件"
    supplement = Document.objects.get(item=item, kind=DocumentKind.SUPPLEMENT)
    assert supplement.uploaded_by == user
    assert "badge-state-accepted" in state.get_attribute("class")
    phone.fits("case-supplement-supplied")

    # ------------------------------------------------------------- 4. raise a problem
    phone.reloads(lambda: page.click("#case-coordination [data-case-link=raise-problem]"))
    page.locator("#raise-form").wait_for()
    phone.fits("raise-problem")
    page.select_option("#raise-form [name=item]", str(item.pk))
    page.select_option("#raise-form [name=department]", str(housing.pk))
    page.fill("#raise-form [name=title]", "施工许可审批进度缓慢")
    page.fill("#raise-form [name=description]", "补正材料已提交三天，审批仍无进展")
    page.fill("#raise-form [name=requested_outcome]", "请协调住建局明确办结时间")
    phone.reloads(lambda: page.click("#raise-form button[name=submit][value=raise]"))
    phone.no_errors()
    problem = Problem.objects.get()
    assert (problem.case, problem.item, problem.department) == (case, item, housing)
    assert (problem.raised_by, problem.raised_as) == (user, Role.APPLICANT)
    assert (problem.state, problem.level) == (ProblemState.OPEN, ProblemLevel.SPECIALIST)
    assert problem.title == "施工许可审批进度缓慢"
    assert problem.requested_outcome == "请协调住建局明确办结时间"
    assert LedgerEntry.objects.filter(case=case, action="problem_raise",
                                      actor=user).count() == 1
    listed = page.locator(f"#problems li[data-problem='{problem.number}']")
    assert listed.get_attribute("data-problem-state") == ProblemState.OPEN
    phone.fits("case-problems")

    phone.reloads(lambda: listed.locator(
        f"a[href='{reverse('problems:detail', args=[problem.pk])}']").click())
    header = page.locator("#problem-header")
    assert header.get_attribute("data-problem-level") == "1"
    assert header.get_attribute("data-problem-state") == ProblemState.OPEN
    assert page.locator("#problem-levels li").evaluate_all(
        "items => items.map(i => i.dataset.level)") == ["1"]
    # The company waits for the answer: it can neither escalate nor close.
    assert page.locator("[data-problem-action]").count() == 0
    phone.fits("problem")

    # ------------------------------------------------------------- 5. evaluate the item
    case_services.approve_item(item=item, by=representative, result_number="曲建许〔2026〕7号",
                               result_file=pdf_upload("施工许可证.pdf"))
    phone.goto(reverse("portal:workbench"))
    # On a phone the menu folds away behind the toggler.
    page.click(".navbar-toggler")
    phone.reloads(lambda: page.click("#bb-nav-menu [data-nav=evaluations]"))
    assert page.url.endswith(reverse("evaluations:pending"))
    subject = page.locator(f"#open-for-rating [data-subject='item-{item.pk}']")
    assert subject.count() == 1
    phone.fits("evaluations-pending")
    phone.reloads(lambda: subject.locator(f"[data-rate='item-{item.pk}']").click())
    form = page.locator("#evaluation-form")
    phone.fits("evaluation-form")

    # A bad rating needs a comment: the form comes back, nothing is recorded.
    form.locator("[name=rating][value='4']").check()
    phone.reloads(lambda: page.click("#submit-evaluation"))
    assert form.locator("[name=rating][value='4']").is_checked()
    assert form.locator(".text-danger[role=alert]").count() == 1
    assert not Evaluation.objects.exists()
    phone.fits("evaluation-needs-comment")

    form.locator("[name=comment]").fill("补正后等待时间过长，沟通不及时")
    phone.reloads(lambda: page.click("#submit-evaluation"))
    phone.no_errors()
    assert page.url.endswith(reverse("evaluations:pending"))
    evaluation = Evaluation.objects.select_related("rectification").get()
    assert (evaluation.company, evaluation.case, evaluation.item) == (company, case, item)
    assert (evaluation.rating, evaluation.channel) == (4, EvaluationChannel.PORTAL)
    assert evaluation.comment == "补正后等待时间过长，沟通不及时"
    assert evaluation.contact == contact and evaluation.specialist == specialist
    # A bad rating opens a verification-and-rectification record; the company sees its state.
    assert evaluation.rectification.state == RectificationState.OPEN
    assert page.locator(f"#open-for-rating [data-subject='item-{item.pk}']").count() == 0
    past = page.locator(f"#past-ratings [data-evaluation='{evaluation.pk}']")
    assert past.locator("[data-rectification-state]").get_attribute(
        "data-rectification-state") == RectificationState.OPEN
    phone.fits("evaluated")

    # The case's ledger holds the company's steps in order, each as the applicant.
    company_steps = list(LedgerEntry.objects.filter(case=case, actor=user)
                         .order_by("at", "pk").values_list("action", "actor_role"))
    assert company_steps == [
        ("create_application", Role.APPLICANT), ("submit", Role.APPLICANT),
        ("supply_supplement", Role.APPLICANT), ("problem_raise", Role.APPLICANT),
        ("evaluate", Role.APPLICANT), ("rectification_open", Role.APPLICANT),
    ]
