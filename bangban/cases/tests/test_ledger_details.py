"""The ledger on the case page shows what an action recorded besides its reason.

Found by the main-journey browser test: a plan edit that removed an item, a changed promised
limit, an upload, a result and a handover each showed as a bare action name, so the ledger
could not tell what had been done.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases import services
from bangban.cases.models import HandoverMethod
from bangban.cases.templatetags.case_tags import ledger_details
from bangban.cases.workflow import CaseState, ItemState
from tests.factories import CaseFactory, CaseItemFactory, MembershipFactory, pdf_upload

pytestmark = pytest.mark.django_db


def ledger_row(html, action, occurrence=0):
    rows = re.findall(rf'<tr data-ledger-action="{action}".*?</tr>', html, flags=re.S)
    return rows[occurrence]


def test_plan_edits_uploads_results_and_handover_show_what_they_recorded(client):
    case = CaseFactory(planned=True)
    MembershipFactory(user=case.specialist, agency=case.agency, role=Role.SPECIALIST)
    kept = CaseItemFactory(case=case, promised_limit=15)
    dropped = CaseItemFactory(case=case)
    specialist = case.specialist

    services.update_item_plan(item=kept, by=specialist, promised_limit=10)
    services.remove_item(item=dropped, by=specialist)
    services.upload_item_material(item=kept, by=specialist, file=pdf_upload(), title="施工图")
    kept.refresh_from_db()
    kept.state = ItemState.ACCEPTED
    kept.save()
    case.state = CaseState.IN_PROGRESS
    case.plan_published_at = timezone.now()
    case.save()
    department = MembershipFactory(agency=case.agency, department=kept.department,
                                   role=Role.DEPARTMENT_REPRESENTATIVE).user
    services.approve_item(item=kept, by=department, result_number="滨建审〔2026〕7号",
                          result_file=pdf_upload("result.pdf"))
    services.record_handover(case=case, by=specialist, method=HandoverMethod.MAIL,
                             tracking_number="SF100200300")

    client.force_login(specialist)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert re.search(r"\b10\b", ledger_row(html, "edit_plan", 0))
    assert dropped.matter.name in ledger_row(html, "edit_plan", 1)
    assert "施工图 v1" in ledger_row(html, "upload_material")
    assert "滨建审〔2026〕7号" in ledger_row(html, "approve")
    handover = ledger_row(html, "record_handover")
    assert "SF100200300" in handover and str(HandoverMethod.MAIL.label) in handover


def test_an_entry_without_details_shows_none(client):
    case = CaseFactory(submitted=True)
    entry = case.ledger.create(actor=case.created_by, actor_role=Role.APPLICANT,
                               action="submit", from_state="draft", to_state="submitted")
    assert ledger_details(entry) == []
