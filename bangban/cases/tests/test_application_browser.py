"""The company's main journey in a real browser: register (with the one-time code), add a
project, apply.

Fields are found by their names, so the test holds whatever language the labels are in.
"""

import re

import pytest
from django.urls import reverse

from bangban.cases.models import Case
from bangban.cases.workflow import CaseState
from bangban.companies.models import CompanyContact
from bangban.notifications.models import OutboxMessage
from tests.browser.fixtures import screenshot
from tests.factories import AgencyFactory, MatterFactory, StageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_company_registers_adds_a_project_and_applies(live_server, browser_page):
    agency = AgencyFactory(name="曲江区行政服务中心")
    permit = MatterFactory(stage=StageFactory(code=3, name="施工许可"), name="建筑工程施工许可证")
    page = browser_page

    page.goto(live_server.url + reverse("companies:register"))
    for name, value in {
        "company_name": "韶关曲江新材料有限公司", "credit_code": "91350100m000100y43",
        "legal_representative": "王强", "address": "韶关市曲江区马坝镇",
        "username": "lihua", "password1": "Qujiang-2026!", "password2": "Qujiang-2026!",
        "full_name": "李华", "phone": "13800138000", "email": "lihua@example.com",
    }.items():
        page.fill(f"[name={name}]", value)
    screenshot(page, "company-register")
    page.click("button[type=submit].btn-primary")
    # The one-time code goes out by SMS (the default channel) through the outbox.
    page.locator("[name=code]").wait_for()
    message = OutboxMessage.objects.get(event="registration_code", address="13800138000")
    page.fill("[name=code]", re.search(r"(?<!\d)\d{6}(?!\d)", message.body).group(0))
    page.click("[data-verify-form] button[type=submit]")
    page.locator(".bb-user").wait_for()
    assert page.locator(".bb-user").inner_text() == "李华"
    assert CompanyContact.objects.get().company.credit_code == "91350100M000100Y43"

    page.goto(live_server.url + reverse("applications:new"))
    page.click(f"a[href^='{reverse('projects:create')}']")
    page.fill("[name=name]", "曲江新材料产业园一期")
    page.select_option("[name=category]", "C")
    page.select_option("[name=investment_type]", "social")
    page.fill("[name=location]", "韶关市曲江区白土镇")
    page.fill("[name=total_investment]", "35000")
    page.fill("[name=description]", "新建厂房及配套设施")
    page.select_option("[name=agency]", str(agency.pk))
    screenshot(page, "project-form")
    page.click("button[type=submit].btn-primary")

    # Back on the application form with the new project chosen and its summary filled in.
    page.locator("[name=project_summary]").wait_for()
    assert page.input_value("[name=project_summary]") == "新建厂房及配套设施"
    page.check("[name=mode][value=agent]")
    page.check("[name=scope][value=stage]")
    assert page.locator("#stages-section").is_visible()
    page.check("[name=scope][value=single]")
    assert not page.locator("#stages-section").is_visible()
    page.check(f"[name=requested_matters][value='{permit.pk}']")
    page.fill("[name=requested_items_note]", "希望尽快取得施工许可")
    screenshot(page, "application-form")
    page.click("button[name=action][value=submit]")

    page.locator(".badge-state-submitted").wait_for()
    screenshot(page, "application-detail")
    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED and case.scope == "single"
    assert list(case.requested_matters.all()) == [permit]
