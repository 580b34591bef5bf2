"""A supervisor reads the dashboard in a real browser: the charts are drawn, and a number of a
table opens the list behind it with as many rows as it said."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.workflow import CaseState, ItemState
from bangban.deadlines.models import WarningLevel
from tests.browser.fixtures import log_in, screenshot
from tests.factories import CaseFactory, CaseItemFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_charts_and_a_number_opens_its_list(live_server, browser_page):
    page = browser_page
    case = CaseFactory(in_progress=True, submitted_at=timezone.now())
    for level in (WarningLevel.RED, WarningLevel.RED, WarningLevel.GREEN):
        CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level=level)
    CaseFactory(agency=case.agency, state=CaseState.SUBMITTED, submitted_at=timezone.now())
    supervisor = MembershipFactory(agency=case.agency, role=Role.SUPERVISOR).user

    log_in(page, live_server, supervisor)
    page.goto(live_server.url + reverse("dashboards:dashboard"))
    page.locator("#chart-warnings svg").wait_for()
    assert page.locator(".bb-chart svg").count() >= 3
    screenshot(page, "dashboard")

    red = reverse("dashboards:list", args=["items", "warning.red"])
    link = page.locator(f'a[data-figure^="{red}?"]').first
    assert link.inner_text() == "2"
    link.click()
    page.wait_for_url(f"**{red}?*")
    assert page.locator("[data-total]").inner_text() == "2"
    assert page.locator("tbody tr").count() == 2
