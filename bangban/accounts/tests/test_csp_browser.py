"""Key pages under the content security policy in a real browser: Chromium reports every
violation as a `securitypolicyviolation` event and a console error; there must be none, and the
pages' scripts (htmx, Bootstrap, ECharts, the language switch) must still work."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.workflow import ItemState
from bangban.deadlines.models import WarningLevel
from tests.browser.fixtures import log_in
from tests.factories import CaseFactory, CaseItemFactory, CompanyContactFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.bbViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.bbViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch(page):
    console = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    return console


def violations(page, console):
    return page.evaluate("window.bbViolations") + console


def test_the_login_page_and_the_language_switch_work_under_the_policy(live_server,
                                                                       browser_page):
    page = browser_page
    console = watch(page)
    page.goto(live_server.url + reverse("accounts:login"))
    page.select_option("#bb-language-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert violations(page, console) == []


def test_the_dashboard_charts_draw_without_violations(live_server, browser_page):
    page = browser_page
    console = watch(page)
    case = CaseFactory(in_progress=True, submitted_at=timezone.now())
    CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level=WarningLevel.RED)
    supervisor = MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user
    log_in(page, live_server, supervisor)
    page.goto(live_server.url + reverse("dashboards:dashboard"))
    page.locator("#chart-warnings svg").wait_for()
    page.goto(live_server.url + reverse("portal:workbench"))
    page.locator(".bb-user").wait_for()
    assert violations(page, console) == []


def test_the_application_forms_nonce_script_runs(live_server, browser_page):
    page = browser_page
    console = watch(page)
    contact = CompanyContactFactory()
    log_in(page, live_server, contact.user)
    page.goto(live_server.url + reverse("applications:new"))
    # The form's inline script (with the nonce) hides the stage section for a whole-project
    # service.
    page.locator("#stages-section").wait_for(state="attached")
    assert page.locator("#stages-section").is_hidden()
    assert violations(page, console) == []
