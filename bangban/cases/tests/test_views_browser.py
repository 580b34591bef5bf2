"""The staff's main journey on the case page in a real browser: action forms open in a modal
through htmx, a mistake is shown inside the modal, and a good submission reloads the page.

Fields are found by their names, so the test holds whatever language the labels are in.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.models import Case, CaseItem, LedgerEntry
from bangban.cases.workflow import CaseState, ItemState
from tests.browser.fixtures import log_in, screenshot
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    pdf_upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_action(page, name):
    page.click(f"[data-action={name}], [data-item-action={name}]")
    page.locator(f"#action-modal #action-form[data-action={name}]").wait_for()


def test_chief_accepts_in_the_modal_and_department_approves(live_server, browser_page):
    page = browser_page
    case = CaseFactory(submitted=True)
    specialist = MembershipFactory(agency=case.agency, role=Role.SPECIALIST).user
    chief = MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user
    detail = live_server.url + reverse("cases:detail", args=[case.pk])

    log_in(page, live_server, chief)
    page.goto(detail)
    open_action(page, "reject")
    page.click("#action-modal button[type=submit]")  # no reason given
    page.locator("#action-modal [role=alert]").first.wait_for()
    screenshot(page, "case-reject-without-reason")
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
    page.click("#action-modal [data-bs-dismiss=modal]")

    open_action(page, "accept")
    page.select_option("#action-modal [name=specialist]", str(specialist.pk))
    page.fill("#action-modal [name=handler_opinion]", "材料齐全，同意受理")
    screenshot(page, "case-accept-modal")
    page.click("#action-modal button[type=submit]")
    page.locator("#case-state.badge-state-accepted").wait_for()
    assert Case.objects.get(pk=case.pk).specialist == specialist
    assert page.locator(".alert-success").count() == 1

    # A department representative approves an item pushed to it, with the result file.
    Case.objects.filter(pk=case.pk).update(state=CaseState.IN_PROGRESS,
                                           plan_published_at=timezone.now())
    department = DepartmentFactory(agency=case.agency)
    item = CaseItemFactory(case=case, department=department, state=ItemState.ACCEPTED)
    representative = MembershipFactory(agency=case.agency, department=department,
                                       role=Role.DEPARTMENT_REPRESENTATIVE).user
    page.context.clear_cookies()
    log_in(page, live_server, representative)
    page.goto(detail)
    open_action(page, "approve")
    page.fill("#action-modal [name=result_number]", "曲建施〔2026〕8号")
    upload = pdf_upload("施工许可证.pdf")
    page.set_input_files("#action-modal [name=result_file]", files=[{
        "name": upload.name, "mimeType": "application/pdf", "buffer": upload.read(),
    }])
    page.click("#action-modal button[type=submit]")
    page.locator(f"#item-{item.pk} .badge-state-approved").wait_for()
    screenshot(page, "case-item-approved")
    assert CaseItem.objects.get(pk=item.pk).result_number == "曲建施〔2026〕8号"
    assert LedgerEntry.objects.filter(item=item, action="approve").count() == 1
