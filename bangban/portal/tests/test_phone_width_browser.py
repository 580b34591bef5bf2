"""Every company-facing page fits a 375 px wide phone screen (SPEC §11, issue 4 item 9): the
document never scrolls sideways. Wide tables may scroll inside their own wrapper.

Pages are listed as data; add a page by adding a line to `company_pages` or `public_pages`.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.cases.workflow import ItemState
from bangban.companies import services as company_services
from tests.browser.fixtures import log_in, screenshot
from tests.factories import CaseFactory, CaseItemFactory, CompanyContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375

# The elements wider than the screen, to say what overflows when the check fails.
OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.parentElement.closest('.table-responsive, .modal'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim()
                   .slice(0, 40))"""


def _world():
    contact = CompanyContactFactory(is_administrator=True)
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now(),
                       project__company=contact.company, company_contact=contact)
    today = timezone.localdate()
    previous = None
    for position, state in enumerate([ItemState.APPROVED, ItemState.ACCEPTED,
                                      ItemState.PLANNED]):
        start = today + datetime.timedelta(days=10 * position - 10)
        item = CaseItemFactory(case=case, position=position, state=state, planned_start=start,
                               planned_end=start + datetime.timedelta(days=9))
        if previous:
            item.prerequisites.add(previous)
        previous = item
    invited = company_services.invite_contact(
        company=contact.company, by=contact.user, name="赵敏", phone="13912345678",
        email="zhaomin@example.com",
    )
    registration = company_services.start_registration(
        channel="sms", username="newcomer", password="Phone-width-2026!", full_name="李华",
        phone="13800138000", email="lihua@example.com", company_name="韶关曲江新材料有限公司",
        credit_code="91350100M000100Y43", legal_representative="王强", address="韶关市曲江区",
    )
    return contact, case, invited, registration


def company_pages(contact, case):
    return [
        reverse("portal:workbench"),
        reverse("companies:detail", args=[contact.company.pk]),
        reverse("companies:edit", args=[contact.company.pk]),
        reverse("companies:invite", args=[contact.company.pk]),
        reverse("cases:detail", args=[case.pk]),
        reverse("portal:case_timeline", args=[case.pk]),
        reverse("applications:new"),
        reverse("problems:list"),
        reverse("problems:for_case", args=[case.pk]),
        reverse("problems:raise", args=[case.pk]),
        reverse("evaluations:pending"),
        reverse("evaluations:case", args=[case.pk]),
        reverse("meetings:list"),
        reverse("policies:list"),
    ]


def public_pages(invited, registration, case):
    return [
        reverse("public:home"),
        reverse("public:catalog"),
        reverse("public:matter", args=[case.items.order_by("pk").first().matter.code]),
        reverse("public:directory"),
        reverse("public:progress"),
        reverse("policies:list"),
        reverse("accounts:login"),
        reverse("companies:register"),
        reverse("companies:verify_registration", args=[registration.token]),
        company_services.invitation_path(invited),
    ]


def assert_fits(page, url, name):
    page.goto(url)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        screenshot(page, f"phone-{name}")
    assert width <= WIDTH, (url, width, page.evaluate(OVERFLOWING))


def test_company_and_public_pages_fit_a_375_px_screen(live_server, new_page):
    contact, case, invited, registration = _world()
    visitor = new_page()
    visitor.set_viewport_size({"width": WIDTH, "height": 800})
    for number, path in enumerate(public_pages(invited, registration, case)):
        assert_fits(visitor, live_server.url + path, f"public-{number}")

    page = new_page()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, contact.user)
    for number, path in enumerate(company_pages(contact, case)):
        assert_fits(page, live_server.url + path, f"company-{number}")
    page.goto(live_server.url + reverse("portal:case_timeline", args=[case.pk]))
    assert page.locator("[data-critical]").count() == 3
    screenshot(page, "phone-case-timeline")
