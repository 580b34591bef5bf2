"""The main journey (SPEC §4), walked in a real browser by the four users who share it.

Only reference data is made directly: the agency with its chief and specialist, the housing
department with its representative, the company's contact, and the real catalog. Everything
else happens through the pages, each user in a browser context of their own, logged in
through the login form:

  company applies → chief accepts and assigns → specialist records the agency agreement,
  plans from the catalog, edits and publishes the plan, prepares and pushes one item →
  company reads its service guide → department accepts and asks for a supplement → company
  supplies it → department approves with a result → specialist hands the results over →
  company signs the completion sheet.

After every step the test checks the database and the page, and saves
test-artifacts/screenshots/journey-NN-<step>.png. Fields and buttons are found by their names
and data-* hooks, never by their labels, so the test holds in either language.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import DepartmentKind, Role
from bangban.cases.models import Case, CaseItem, LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import Matter
from bangban.documents.models import Document, DocumentKind
from bangban.projects.models import Project
from tests.browser.fixtures import SCREENSHOT_DIR, log_in, screenshot
from tests.factories import (
    PDF_BYTES,
    AgencyFactory,
    CompanyContactFactory,
    CompanyFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The three catalog matters the company asks for (single-item scope): the one worked through,
# one the specialist removes from the plan, one withdrawn after the plan is published.
WORKED, REMOVED, WITHDRAWN = "21", "22", "26"  # all decided by housing and construction


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


class Journey:
    """The four users' pages and the small moves every step repeats."""

    def __init__(self, live_server, new_page):
        self.live_server = live_server
        self.new_page = new_page
        self.pages = {}
        self.step = 0
        for old in SCREENSHOT_DIR.glob("journey-*.png"):  # a previous run's, maybe numbered apart
            old.unlink()

    def url(self, path):
        return self.live_server.url + path

    def page_of(self, name, user):
        """The page of `name`, logged in as `user` through the login form on first use."""
        if name not in self.pages:
            page = self.new_page()
            log_in(page, self.live_server, user, via_form=True)
            self.pages[name] = page
        return self.pages[name]

    def shot(self, page, step):
        self.step += 1
        screenshot(page, f"journey-{self.step:02d}-{step}")

    @staticmethod
    def reloads(page, click):
        """Clicks, then waits until the page has been loaded anew (an htmx action answers
        with a client-side redirect, a plain form with a redirect)."""
        page.evaluate("document.body.dataset.stale = 'yes'")
        click()
        page.locator("body:not([data-stale])").wait_for(state="attached")
        page.wait_for_load_state()

    @staticmethod
    def open_action(page, name, item=None):
        """Opens a case action (or an item's action) in the case page's modal."""
        scope = f"#item-{item.pk} [data-item-action={name}]" if item else f"[data-action={name}]"
        page.click(scope)
        page.locator(f"#action-modal #action-form[data-action={name}]").wait_for()

    def submit_action(self, page):
        self.reloads(page, lambda: page.click("#action-modal button[type=submit]"))
        errors = page.locator(".alert-danger")
        assert errors.count() == 0, errors.first.inner_text()

    def do(self, page, name, item=None, fill=None):
        """Opens an action, lets `fill(modal)` fill its form, submits it, waits for the page."""
        self.open_action(page, name, item)
        if fill:
            fill(page.locator("#action-modal"))
        self.submit_action(page)


def item_state(page, item):
    return page.locator(f"#item-{item.pk} .badge").get_attribute("class")


def test_four_users_walk_the_main_journey(live_server, new_page):
    # ---------------------------------------------------------------- reference data only
    call_command("load_catalog", verbosity=0)
    agency = AgencyFactory(name="滨州市政务服务中心", phone="0543-3160000")
    chief = MembershipFactory(
        agency=agency, role=Role.CHIEF_SPECIALIST,
        user=UserFactory(username="chief", full_name="周首席"),
    ).user
    specialist = MembershipFactory(
        agency=agency, role=Role.SPECIALIST,
        user=UserFactory(username="specialist", full_name="孙专员", phone="13905430001"),
    ).user
    housing = DepartmentFactory(agency=agency, name="滨州市住房和城乡建设局",
                                kind=DepartmentKind.HOUSING_CONSTRUCTION, phone="0543-3161234")
    representative = MembershipFactory(
        agency=agency, department=housing, role=Role.DEPARTMENT_REPRESENTATIVE,
        user=UserFactory(username="housing", full_name="钱代表"),
    ).user
    company = CompanyFactory(name="滨州黄河新材料有限公司")
    contact = CompanyContactFactory(
        company=company, name="李华", phone="13800138000", is_representative=True,
        user=UserFactory(username="lihua", full_name="李华"),
    )
    matters = {code: Matter.objects.get(code=code) for code in (WORKED, REMOVED, WITHDRAWN)}

    journey = Journey(live_server, new_page)
    today = timezone.localdate()

    # ------------------------------------------------ 1. the company adds a project, applies
    company_page = journey.page_of("company", contact.user)
    page = company_page
    assert page.url == journey.url(reverse("portal:workbench"))
    page.click(f"#section-company a[href='{reverse('projects:create')}']")
    page.fill("[name=name]", "黄河新材料产业园一期")
    page.select_option("[name=category]", "C")
    page.select_option("[name=investment_type]", "social")
    page.fill("[name=location]", "滨州市滨城区黄河十二路")
    page.fill("[name=total_investment]", "28000")
    page.fill("[name=description]", "新建生产厂房两栋及配套用房，总建筑面积3.2万平方米")
    page.select_option("[name=agency]", str(agency.pk))
    journey.shot(page, "company-project-form")
    journey.reloads(page, lambda: page.click("main button[type=submit].btn-primary"))
    project = Project.objects.get()
    assert project.company == company and project.agency == agency

    page.click(f"a[href='{reverse('applications:new')}?project={project.pk}']")
    page.locator("[name=project_summary]").wait_for()
    assert page.input_value("[name=project_summary]").startswith("新建生产厂房")
    page.check("[name=mode][value=agent]")
    page.check("[name=scope][value=single]")
    for matter in matters.values():
        page.check(f"[name=requested_matters][value='{matter.pk}']")
    page.fill("[name=requested_items_note]", "施工图已完成，希望尽快取得审查合格书")
    journey.shot(page, "company-application-form")
    journey.reloads(page, lambda: page.click("button[name=action][value=submit]"))

    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED
    assert (case.mode, case.scope) == ("agent", "single")
    assert set(case.requested_matters.all()) == set(matters.values())
    assert page.locator(".badge-state-submitted").count() == 1
    assert case.number in page.content()
    assert list(case.ledger.values_list("action", flat=True)) == ["create_application", "submit"]
    journey.shot(page, "company-submitted")
    case_url = journey.url(reverse("cases:detail", args=[case.pk]))

    # --------------------------------------------- 2. the chief accepts and assigns a specialist
    page = journey.page_of("chief", chief)
    page.locator(f"#intake-queue a[href='{reverse('cases:detail', args=[case.pk])}']").click()
    page.locator("#case-state.badge-state-submitted").wait_for()
    actions = page.locator("[data-action]").evaluate_all("els => els.map(e => e.dataset.action)")
    assert sorted(actions) == ["accept", "reject"]
    journey.shot(page, "chief-opens-application")
    journey.do(page, "accept", fill=lambda modal: (
        modal.locator("[name=specialist]").select_option(str(specialist.pk)),
        modal.locator("[name=handler_opinion]").fill("材料齐全，同意受理，由孙专员代办"),
    ))
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.specialist == specialist
    assert page.locator("#case-state.badge-state-accepted").count() == 1
    assert specialist.full_name in page.locator("#case-header").inner_text()
    journey.shot(page, "chief-accepted")

    # The company is told, but sees no plan until it is published; it has no ledger or
    # staff buttons.
    company_page.goto(case_url)
    assert company_page.locator("#case-state.badge-state-accepted").count() == 1
    assert company_page.locator("#items, #ledger, [data-action]").count() == 0

    # -------------------------------------- 3. the specialist records the agreement and plans
    page = specialist_page = journey.page_of("specialist", specialist)
    page.locator(f"#specialist-cases a[href='{reverse('cases:detail', args=[case.pk])}']").click()
    page.locator("#case-state.badge-state-accepted").wait_for()
    # An agent-mode case is planned only once its agreement is recorded (Binzhou 7.2.2).
    assert page.locator("[data-action=generate_plan]").count() == 0
    journey.do(page, "record_agreement", fill=lambda modal: (
        modal.locator("[name=signed_on]").fill(today.isoformat()),
        modal.locator("[name=file]").set_input_files(files=[pdf("代办协议.pdf")]),
    ))
    agreement = case.agreement
    assert agreement.signed_on == today and agreement.document.kind == DocumentKind.AGREEMENT
    agreement_url = reverse("documents:download", args=[agreement.document.pk])
    assert page.locator(f"#documents a[href='{agreement_url}']").count() == 1
    assert page.locator("[data-action=record_agreement]").count() == 0

    journey.do(page, "generate_plan")
    case.refresh_from_db()
    assert case.state == CaseState.PLANNED
    items = {item.matter.code: item for item in case.items.all()}
    assert set(items) == {WORKED, REMOVED, WITHDRAWN}
    assert all(item.department == housing for item in items.values())
    worked, removed, withdrawn = items[WORKED], items[REMOVED], items[WITHDRAWN]
    assert worked.promised_limit == matters[WORKED].promised_limit == 15
    for item in items.values():
        assert page.locator(f"#item-{item.pk} .badge-state-planned").count() == 1
    journey.shot(page, "specialist-plan-generated")

    # Edit the plan: promise 10 working days for the worked item, drop another.
    page.click("[data-action=edit_plan]")
    page.click(f"#plan-item-{worked.pk} a[href='{reverse('cases:plan_item', args=[worked.pk])}']")
    page.fill("[name=promised_limit]", "10")
    journey.reloads(page, lambda: page.click("main form button[type=submit]"))
    worked.refresh_from_db()
    assert worked.promised_limit == 10
    assert "10" in page.locator(f"#plan-item-{worked.pk}").inner_text()
    journey.reloads(page, lambda: page.click(f"#plan-item-{removed.pk} [data-remove-item]"))
    assert not CaseItem.objects.filter(pk=removed.pk).exists()
    assert page.locator(f"#plan-item-{removed.pk}").count() == 0
    journey.shot(page, "specialist-plan-edited")

    page.goto(case_url)
    journey.do(page, "publish_plan")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.plan_published_at is not None

    # Nothing has been pushed yet: the department has nothing on its workbench and cannot
    # open the case.
    department_page = journey.page_of("department", representative)
    assert department_page.locator("#department-items tbody tr").count() == 1  # "No items."
    assert department_page.locator("#department-items a").count() == 0
    assert department_page.goto(case_url).status == 404
    journey.shot(department_page, "department-cannot-open-case-yet")

    # The third item is not needed after all: withdraw it. Then work the first one through.
    journey.do(page, "withdraw", item=withdrawn, fill=lambda modal: (
        modal.locator("[name=reason]").fill("企业已自行办理消防验收，无需代办"),
    ))
    journey.do(page, "start_preparing", item=worked)
    journey.do(page, "upload_material", item=worked, fill=lambda modal: (
        modal.locator("[name=title]").fill(worked.materials[0]),
        modal.locator("[name=file]").set_input_files(files=[pdf("施工图.pdf")]),
    ))
    journey.do(page, "pass_review", item=worked, fill=lambda modal: (
        modal.locator("[name=note]").fill("材料齐全、真实、有效"),
    ))
    # Only a department decides: the specialist has no such buttons.
    assert page.locator(f"#item-{worked.pk} [data-item-action=accept]").count() == 0
    journey.do(page, "push", item=worked)
    worked.refresh_from_db()
    withdrawn.refresh_from_db()
    assert worked.state == ItemState.PUSHED and worked.pushed_at is not None
    assert withdrawn.state == ItemState.WITHDRAWN
    assert "badge-state-pushed" in item_state(page, worked)
    assert "badge-state-withdrawn" in item_state(page, withdrawn)
    assert worked.documents.filter(kind=DocumentKind.MATERIAL).count() == 1
    # Nothing to hand over while an item is still at the department.
    assert page.locator("[data-action=record_handover]").count() == 0
    journey.shot(page, "specialist-pushed")

    # ---------------------------------------------------- 4. the company reads its service guide
    page = company_page
    page.goto(case_url)
    guide = page.locator("#service-guide")
    guide.wait_for()
    assert guide.locator(f"#item-{worked.pk}").count() == 1
    assert "10" in guide.locator(f"#item-{worked.pk}").inner_text()
    assert guide.locator(f"#item-{removed.pk}").count() == 0
    assert specialist.phone in guide.inner_text()
    assert page.locator("#ledger").count() == 0
    assert page.locator("[data-action=confirm_completion]").count() == 0
    journey.shot(page, "company-service-guide")

    # ------------------------------------------- 5. the department accepts, asks for more
    page = department_page
    page.goto(journey.url(reverse("portal:workbench")))
    rows = page.locator("#department-items tbody tr")
    assert rows.count() == 1 and matters[WORKED].name in rows.inner_text()
    page.locator(f"#department-items a[href$='#item-{worked.pk}']").click()
    page.locator(f"#item-{worked.pk}").wait_for()
    # The department sees only the item pushed to it, and the ledger of that item only.
    assert page.locator("#items tbody tr").count() == 1
    assert page.locator(f"#item-{withdrawn.pk}").count() == 0
    assert page.locator("[data-action]").count() == 0
    assert "*" in page.locator("#case-header .bb-phone").first.inner_text()
    ledger_items = set(page.locator("#ledger tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.ledgerItem || '')"))
    assert ledger_items == {str(worked.pk)}
    journey.shot(page, "department-sees-pushed-item")
    journey.do(page, "accept", item=worked)
    due = today + datetime.timedelta(days=7)
    journey.do(page, "request_supplement", item=worked, fill=lambda modal: (
        modal.locator("[name=reason]").fill("请补充施工图审查合格书原件扫描件"),
        modal.locator("[name=due_date]").fill(due.isoformat()),
    ))
    worked.refresh_from_db()
    assert worked.state == ItemState.SUPPLEMENT_REQUESTED and worked.accepted_at is not None
    request = worked.supplement_requests.get()
    assert request.reason == "请补充施工图审查合格书原件扫描件" and request.due_date == due
    assert "badge-state-supplement_requested" in item_state(page, worked)
    journey.shot(page, "department-requests-supplement")

    # --------------------------------------------------- 6. the company supplies the material
    page = company_page
    page.goto(case_url)
    assert "请补充施工图审查合格书原件扫描件" in page.locator(f"#item-{worked.pk}").inner_text()
    journey.open_action(page, "supply_supplement", item=worked)
    modal = page.locator("#action-modal")
    assert "请补充施工图审查合格书原件扫描件" in modal.inner_text()
    modal.locator("[name=answer]").fill("已上传合格书扫描件")
    modal.locator("[name=files]").set_input_files(files=[pdf("审查合格书.pdf")])
    journey.shot(page, "company-supplies-supplement")
    journey.submit_action(page)
    worked.refresh_from_db()
    request.refresh_from_db()
    assert worked.state == ItemState.ACCEPTED
    assert request.supplied_by == contact.user and request.answer == "已上传合格书扫描件"
    supplement = Document.objects.get(item=worked, kind=DocumentKind.SUPPLEMENT)
    assert page.locator(
        f"#documents a[href='{reverse('documents:download', args=[supplement.pk])}']"
    ).count() == 1
    assert "badge-state-accepted" in item_state(page, worked)

    # ---------------------------------------------------- 7. the department approves
    page = department_page
    page.goto(case_url)
    journey.do(page, "approve", item=worked, fill=lambda modal: (
        modal.locator("[name=result_number]").fill("滨建审〔2026〕21号"),
        modal.locator("[name=result_file]").set_input_files(files=[pdf("审查合格书.pdf")]),
    ))
    worked.refresh_from_db()
    assert worked.state == ItemState.APPROVED and worked.result_number == "滨建审〔2026〕21号"
    assert worked.result_document.kind == DocumentKind.RESULT
    assert "滨建审〔2026〕21号" in page.locator(f"#item-{worked.pk}").inner_text()
    journey.shot(page, "department-approves")

    # ------------------------------------------------- 8. the specialist hands results over
    page = specialist_page
    page.goto(case_url)
    journey.do(page, "record_handover", fill=lambda modal: (
        modal.locator("[name=method][value=mail]").check(),
        modal.locator("[name=tracking_number]").fill("SF1234567890"),
    ))
    case.refresh_from_db()
    assert case.handover_method == "mail" and case.handover_tracking_number == "SF1234567890"
    assert "SF1234567890" in page.locator("#case-header").inner_text()
    journey.shot(page, "specialist-hands-over")

    # ------------------------------------------- 9. the company signs the completion sheet
    page = company_page
    page.goto(case_url)
    journey.open_action(page, "confirm_completion")
    sheet = page.locator("#action-modal #completion-sheet")
    assert "滨建审〔2026〕21号" in sheet.inner_text() and "SF1234567890" in sheet.inner_text()
    page.check("#action-modal [name=confirm]")
    journey.shot(page, "company-completion-sheet")
    journey.submit_action(page)
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED
    assert case.completion_confirmed_by == contact and case.completed_at is not None
    assert page.locator("#case-state.badge-state-completed").count() == 1
    assert page.locator("[data-action], [data-item-action]").count() == 0
    journey.shot(page, "company-completed")

    # ------------------------------------------------- 10. the ledger tells the whole story
    expected = [
        ("create_application", None, Role.APPLICANT),
        ("submit", None, Role.APPLICANT),
        ("accept", None, Role.CHIEF_SPECIALIST),
        ("record_agreement", None, Role.SPECIALIST),
        ("generate_plan", None, Role.SPECIALIST),
        ("edit_plan", worked.pk, Role.SPECIALIST),
        ("edit_plan", None, Role.SPECIALIST),  # the removed item is gone; the case records it
        ("publish_plan", None, Role.SPECIALIST),
        ("withdraw", withdrawn.pk, Role.SPECIALIST),
        ("start_preparing", worked.pk, Role.SPECIALIST),
        ("upload_material", worked.pk, Role.SPECIALIST),
        ("pass_review", worked.pk, Role.SPECIALIST),
        ("push", worked.pk, Role.SPECIALIST),
        ("accept", worked.pk, Role.DEPARTMENT_REPRESENTATIVE),
        ("request_supplement", worked.pk, Role.DEPARTMENT_REPRESENTATIVE),
        ("supply_supplement", worked.pk, Role.APPLICANT),
        ("approve", worked.pk, Role.DEPARTMENT_REPRESENTATIVE),
        ("record_handover", None, Role.SPECIALIST),
        ("confirm_completion", None, Role.APPLICANT),
    ]
    entries = LedgerEntry.objects.filter(case=case).order_by("at", "pk")
    assert [(e.action, e.item_id, e.actor_role) for e in entries] == expected

    page = specialist_page
    page.goto(case_url)
    rows = page.locator("#ledger tbody tr")
    shown = rows.evaluate_all("rows => rows.map(r => [r.dataset.ledgerAction, "
                              "r.dataset.ledgerItem ? Number(r.dataset.ledgerItem) : null])")
    assert [tuple(row) for row in shown] == [(action, item) for action, item, _role in expected]
    # Each row says what was done: the new limit, the removed item, the reasons, the result.
    def note(row):
        return rows.nth(row).locator("td").last.inner_text()

    assert note(5).rstrip().endswith(": 10") or note(5).rstrip().endswith("：10")
    assert matters[REMOVED].name in note(6)
    assert "企业已自行办理消防验收" in note(8)
    assert f"{worked.materials[0]} v1" in note(10)
    assert "请补充施工图审查合格书" in note(14)
    assert "滨建审〔2026〕21号" in note(16)
    assert "SF1234567890" in note(17)
    journey.shot(page, "specialist-ledger")
