"""The case list, the case page and the action views, for every role that may see a case."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles, item_roles
from bangban.cases import selectors, services
from bangban.cases.models import (
    Case,
    CaseItem,
    ClockPause,
    HandoverMethod,
    LedgerEntry,
    PauseCause,
    ServiceMode,
    SupplementRequest,
)
from bangban.cases.workflow import CaseState, ItemState, case_actions_for, item_actions_for
from bangban.catalog.models import DefaultItem
from bangban.core.errors import NotAllowed
from bangban.documents.models import Document, DocumentKind
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    UserFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """An in-progress case with a published plan, one item pushed to a department and one not,
    and a user for every role around it."""
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now())
    agency = case.agency
    MembershipFactory(user=case.specialist, agency=agency, role=Role.SPECIALIST)
    department = DepartmentFactory(agency=agency, phone="0543-1234567")
    pushed = CaseItemFactory(case=case, department=department, state=ItemState.PUSHED,
                             pushed_at=timezone.now())
    hidden = CaseItemFactory(case=case, department=department, state=ItemState.PLANNED)
    other_department = DepartmentFactory(agency=agency)
    users = SimpleNamespace(
        applicant=case.company_contact.user,
        specialist=case.specialist,
        chief=MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user,
        supervisor=MembershipFactory(agency=agency, role=Role.SUPERVISOR).user,
        department=MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=department).user,
        other_department=MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                           department=other_department).user,
        other_company=CompanyContactFactory().user,
        outsider=UserFactory(),
    )
    return SimpleNamespace(case=case, agency=agency, department=department, pushed=pushed,
                           hidden=hidden, users=users)


def detail_url(case):
    return reverse("cases:detail", args=[case.pk])


def action_url(case, action):
    return reverse("cases:action", args=[case.pk, action])


def item_action_url(item, action):
    return reverse("cases:item_action", args=[item.pk, action])


def as_user(client, user):
    client.force_login(user)
    return client


def error_messages(response):
    return [str(m) for m in response.context["messages"] if m.level == message_levels.ERROR]


def shown_case_actions(response):
    return set(re.findall(r'data-action="(\w+)"', response.content.decode()))


def shown_item_actions(response, item):
    html = response.content.decode()
    row = html[html.index(f'id="item-{item.pk}"'):]
    row = row[:row.index("</tr>")]
    return set(re.findall(r'data-item-action="(\w+)"', row))


# ------------------------------------------------------------------------ who sees what


@pytest.mark.parametrize("role", ["applicant", "specialist", "chief", "supervisor",
                                  "department"])
def test_case_page_renders_for_every_role_on_the_case(client, world, role):
    response = as_user(client, getattr(world.users, role)).get(detail_url(world.case))
    assert response.status_code == 200
    assert world.case.number in response.content.decode()


@pytest.mark.parametrize("role", ["other_company", "other_department", "outsider"])
def test_case_page_is_404_for_anyone_else(client, world, role):
    response = as_user(client, getattr(world.users, role)).get(detail_url(world.case))
    assert response.status_code == 404


def test_case_page_needs_login(client, world):
    response = client.get(detail_url(world.case))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_department_sees_only_items_pushed_to_it(client, world):
    html = as_user(client, world.users.department).get(detail_url(world.case)).content.decode()
    assert world.pushed.matter.name in html
    assert world.hidden.matter.name not in html


def test_department_sees_masked_phone_numbers(client, world):
    html = as_user(client, world.users.department).get(detail_url(world.case)).content.decode()
    phone = world.case.company_contact.phone
    assert phone not in html
    assert f"{phone[:3]}****{phone[-4:]}" in html
    assert world.case.specialist.phone not in html


def test_staff_see_full_phone_numbers_and_every_item(client, world):
    html = as_user(client, world.users.specialist).get(detail_url(world.case)).content.decode()
    assert world.case.company_contact.phone in html
    assert world.hidden.matter.name in html


def test_company_sees_its_service_guide_once_the_plan_is_published(client, world):
    html = as_user(client, world.users.applicant).get(detail_url(world.case)).content.decode()
    assert 'id="service-guide"' in html
    assert world.pushed.matter.name in html
    assert 'id="ledger"' not in html


def test_company_sees_only_application_and_state_before_publication(client, world):
    world.case.state = CaseState.PLANNED
    world.case.plan_published_at = None
    world.case.save()
    html = as_user(client, world.users.applicant).get(detail_url(world.case)).content.decode()
    assert 'id="application"' in html
    assert 'id="service-guide"' not in html
    assert world.pushed.matter.name not in html


def _row(html, item):
    row = html[html.index(f'id="item-{item.pk}"'):]
    return row[:row.index("</tr>")]


def test_item_rows_show_prerequisites_missing_supplements_and_the_result(client, world):
    later = CaseItemFactory(case=world.case, department=world.department, position=5)
    later.prerequisites.add(world.hidden, world.pushed)
    world.pushed.prerequisites.add(world.hidden)
    requested_by = world.users.department
    SupplementRequest.objects.create(item=world.pushed, reason="缺少消防图纸",
                                     requested_by=requested_by)
    SupplementRequest.objects.create(item=world.pushed, reason="缺少环评批复",
                                     requested_by=requested_by, supplied_at=timezone.now())
    result = Document.objects.create(
        case=world.case, item=world.pushed, kind=DocumentKind.RESULT, title="批复",
        file="r.pdf", original_name="r.pdf", content_type="application/pdf", size=1,
        sha256="0" * 64, uploaded_by=requested_by)
    CaseItem.objects.filter(pk=world.pushed.pk).update(result_document=result,
                                                       result_number="滨审批〔2026〕1号")
    html = as_user(client, world.users.specialist).get(
        detail_url(world.case), headers={"accept-language": "en"}).content.decode()
    # In the plan's order, whatever order they were linked in.
    assert (f"runs after: {world.pushed.matter.name}、{world.hidden.matter.name}"
            in _row(html, later))
    pushed = _row(html, world.pushed)
    assert "缺少消防图纸" in pushed
    assert "缺少环评批复" not in pushed  # supplied already
    assert reverse("documents:download", args=[result.pk]) in pushed
    assert "runs after" not in _row(html, world.hidden)
    # A department sees what its item runs after, even an item not pushed to it.
    html = as_user(client, world.users.department).get(
        detail_url(world.case), headers={"accept-language": "en"}).content.decode()
    assert f"runs after: {world.hidden.matter.name}" in _row(html, world.pushed)
    assert f'id="item-{world.hidden.pk}"' not in html


def test_staff_find_the_delivery_page_from_the_case_page(client, world):
    link = reverse("notifications:case_messages", args=[world.case.pk])
    for role in ("specialist", "chief", "supervisor"):
        html = as_user(client, getattr(world.users, role)).get(detail_url(world.case))
        assert link in html.content.decode(), role
    for role in ("applicant", "department"):
        html = as_user(client, getattr(world.users, role)).get(detail_url(world.case))
        assert link not in html.content.decode(), role


def test_ledger_is_shown_read_only(client, world):
    LedgerEntry.objects.create(case=world.case, actor=world.users.specialist,
                               actor_role=Role.SPECIALIST, action="log_contact",
                               from_state="in_progress", to_state="in_progress",
                               reason="电话沟通施工图审查进度")
    html = as_user(client, world.users.chief).get(detail_url(world.case)).content.decode()
    ledger = html[html.index('id="ledger"'):]
    assert "电话沟通施工图审查进度" in ledger
    assert "<form" not in ledger[:ledger.index("</table>")]


# ----------------------------------------------------------------------------- buttons


@pytest.mark.parametrize("role", ["applicant", "specialist", "chief", "supervisor",
                                  "department"])
def test_buttons_are_exactly_the_workflow_actions(client, world, role):
    user = getattr(world.users, role)
    response = as_user(client, user).get(detail_url(world.case))
    case = selectors.get_case_for(user, world.case.pk)
    expected = {a.name for a in case_actions_for(case.state, case_roles(user, case),
                                                 selectors.case_facts(user, case))}
    assert shown_case_actions(response) == expected
    item = world.pushed
    expected_items = {a.name for a in item_actions_for(item.state, world.case.state,
                                                       item_roles(user, item))}
    assert shown_item_actions(response, item) == expected_items


def test_chief_sees_accept_and_reject_on_a_submitted_case(client, world):
    case = CaseFactory(submitted=True, agency=world.agency)
    response = as_user(client, world.users.chief).get(detail_url(case))
    assert shown_case_actions(response) == {"accept", "reject"}


def test_department_sees_accept_on_a_pushed_item(client, world):
    response = as_user(client, world.users.department).get(detail_url(world.case))
    assert shown_item_actions(response, world.pushed) == {"accept", "refuse"}


# ------------------------------------------------------------------------ case actions


def test_action_form_renders_as_a_page_and_as_a_modal_partial(client, world):
    as_user(client, world.users.specialist)
    page = client.get(action_url(world.case, "log_contact"))
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    partial = client.get(action_url(world.case, "log_contact"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "<html" not in html
    assert 'hx-post="' in html


def test_accepting_an_application_through_the_view(client, world):
    case = CaseFactory(submitted=True, agency=world.agency)
    response = as_user(client, world.users.chief).post(action_url(case, "accept"), {
        "specialist": world.users.specialist.pk, "company_contact": case.company_contact.pk,
        "scope": case.scope, "handler_opinion": "同意受理", "leader_instruction": "尽快办理",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.specialist == world.users.specialist
    entry = LedgerEntry.objects.filter(case=case).latest("pk")
    assert (entry.action, entry.from_state, entry.to_state) == ("accept", "submitted", "accepted")
    assert entry.actor == world.users.chief


def test_htmx_post_answers_with_a_client_redirect(client, world):
    response = as_user(client, world.users.specialist).post(
        action_url(world.case, "log_contact"), {"note": "现场踏勘"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(world.case)
    assert LedgerEntry.objects.filter(case=world.case, action="log_contact").count() == 1


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(client, world):
    case = CaseFactory(submitted=True, agency=world.agency)
    response = as_user(client, world.users.chief).post(action_url(case, "reject"),
                                                       {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert not LedgerEntry.objects.filter(case=case).exists()


def test_a_role_that_may_not_act_gets_a_message_and_nothing_changes(client, world):
    response = as_user(client, world.users.specialist).post(
        action_url(world.case, "terminate"), {"reason": "company_request"}, follow=True
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert error_messages(response) == [str(NotAllowed().message)]
    world.case.refresh_from_db()
    assert world.case.state == CaseState.IN_PROGRESS
    assert not LedgerEntry.objects.filter(case=world.case).exists()


def test_supervisor_is_read_only(client, world):
    response = as_user(client, world.users.supervisor).post(
        action_url(world.case, "suspend"), {"reason": "company_request"}, follow=True
    )
    assert len(error_messages(response)) == 1
    world.case.refresh_from_db()
    assert world.case.state == CaseState.IN_PROGRESS


def test_an_out_of_order_action_gets_a_message_and_nothing_changes(client, world):
    response = as_user(client, world.users.chief).post(
        action_url(world.case, "accept"),
        {"specialist": world.users.specialist.pk, "scope": "full",
         "company_contact": world.case.company_contact.pk},
        follow=True,
    )
    assert len(error_messages(response)) == 1
    world.case.refresh_from_db()
    assert world.case.state == CaseState.IN_PROGRESS
    assert not LedgerEntry.objects.filter(case=world.case).exists()


def test_a_forged_post_for_an_invisible_case_is_404(client, world):
    response = as_user(client, world.users.other_company).post(
        action_url(world.case, "confirm_completion"), {"confirm": "on"}
    )
    assert response.status_code == 404
    response = client.post(action_url(world.case, "no_such_action"))
    assert response.status_code == 404


def test_a_domain_error_from_the_service_becomes_a_message(client, world):
    # The workflow offers "record handover" in progress; the service refuses while items run.
    response = as_user(client, world.users.specialist).post(
        action_url(world.case, "record_handover"),
        {"method": HandoverMethod.SELF_COLLECT}, follow=True,
    )
    assert len(error_messages(response)) == 1
    world.case.refresh_from_db()
    assert world.case.handover_method == ""


def test_a_validation_error_from_the_service_is_shown_on_the_form(client, world):
    world.case.state = CaseState.ACCEPTED
    world.case.save()
    response = as_user(client, world.users.specialist).post(
        action_url(world.case, "record_agreement"),
        {"signed_on": "2026-01-05", "file": pdf_upload("agreement.pdf")},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # an assist-mode case has no agreement
    assert not Document.objects.filter(case=world.case).exists()


def test_suspend_and_resume_through_the_views(client, world):
    as_user(client, world.users.specialist)
    client.post(action_url(world.case, "suspend"),
                {"reason": "materials_overdue", "note": "催告两次未补齐"})
    world.case.refresh_from_db()
    assert world.case.state == CaseState.SUSPENDED
    client.post(action_url(world.case, "resume"), {"note": "材料已补齐"})
    world.case.refresh_from_db()
    assert world.case.state == CaseState.IN_PROGRESS
    actions = list(LedgerEntry.objects.filter(case=world.case).values_list("action", flat=True))
    assert actions == ["suspend", "resume"]


def test_handover_by_mail_needs_a_tracking_number(client, world):
    CaseItem.objects.filter(case=world.case).update(state=ItemState.APPROVED)
    response = as_user(client, world.users.specialist).post(
        action_url(world.case, "record_handover"), {"method": HandoverMethod.MAIL}
    )
    assert response.context["form"].errors["tracking_number"]
    world.case.refresh_from_db()
    assert world.case.handed_over_at is None


def test_company_confirms_completion_with_the_checkbox(client, world):
    CaseItem.objects.filter(case=world.case).update(state=ItemState.APPROVED)
    world.case.handover_method = HandoverMethod.SELF_COLLECT
    world.case.handed_over_at = timezone.now()
    world.case.save()
    as_user(client, world.users.applicant)
    form_page = client.get(action_url(world.case, "confirm_completion"))
    assert 'id="completion-sheet"' in form_page.content.decode()
    unchecked = client.post(action_url(world.case, "confirm_completion"), {})
    assert unchecked.context["form"].errors["confirm"]
    client.post(action_url(world.case, "confirm_completion"), {"confirm": "on"})
    world.case.refresh_from_db()
    assert world.case.state == CaseState.COMPLETED


def test_generating_and_publishing_the_plan(client, world):
    case = CaseFactory(accepted=True, agency=world.agency, specialist=world.users.specialist)
    matter = MatterFactory(department_kind=world.department.kind)
    DefaultItem.objects.create(category=case.project.category, matter=matter)
    as_user(client, world.users.specialist)
    client.post(action_url(case, "generate_plan"), {"target_completion_date": "2027-03-31"})
    case.refresh_from_db()
    assert case.state == CaseState.PLANNED
    assert case.target_completion_date == datetime.date(2027, 3, 31)
    assert list(case.items.values_list("matter", flat=True)) == [matter.pk]
    client.post(action_url(case, "publish_plan"), {})
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    assert case.plan_published_at is not None


def test_editing_the_plan_adds_changes_and_removes_items(client, world):
    as_user(client, world.users.specialist)
    page = client.get(action_url(world.case, "edit_plan"))
    assert page.status_code == 200
    matter, spare = MatterFactory.create_batch(2, department_kind=world.department.kind)
    client.post(action_url(world.case, "edit_plan"), {"matter": matter.pk})
    client.post(action_url(world.case, "edit_plan"), {"matter": spare.pk})
    added = CaseItem.objects.get(case=world.case, matter=matter)
    assert matter.name in client.get(action_url(world.case, "edit_plan")).content.decode()
    assert client.get(reverse("cases:plan_item", args=[added.pk])).status_code == 200

    response = client.post(reverse("cases:plan_item", args=[added.pk]), {
        "department": world.department.pk, "promised_limit": 3,
        "planned_start": "2026-09-01", "planned_end": "2026-09-04",
        "prerequisites": [world.hidden.pk], "commitment_based": "on",
    })
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.promised_limit == 3
    assert added.commitment_based
    assert list(added.prerequisites.all()) == [world.hidden]

    client.post(reverse("cases:remove_plan_item", args=[added.pk]))  # touched: refused
    assert CaseItem.objects.filter(pk=added.pk).exists()
    client.post(reverse("cases:remove_plan_item",
                        args=[CaseItem.objects.get(matter=spare).pk]))
    assert not CaseItem.objects.filter(matter=spare).exists()
    actions = list(LedgerEntry.objects.filter(case=world.case).values_list("action", flat=True))
    assert actions == ["edit_plan"] * 4


def test_the_company_cannot_edit_the_plan(client, world):
    response = as_user(client, world.users.applicant).post(
        reverse("cases:plan_item", args=[world.hidden.pk]),
        {"department": world.department.pk, "promised_limit": 1}, follow=True,
    )
    assert len(error_messages(response)) == 1
    world.hidden.refresh_from_db()
    assert world.hidden.promised_limit == 5


def test_a_forbidden_action_form_is_not_even_shown(client, world):
    response = as_user(client, world.users.specialist).get(action_url(world.case, "terminate"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(world.case)


def test_company_submits_its_draft_and_edits_it_on_the_application_form(client, world):
    draft = CaseFactory(agency=world.agency, project=world.case.project,
                        company_contact=world.case.company_contact)
    as_user(client, world.users.applicant)
    edit = client.get(action_url(draft, "edit_application"))
    assert edit.status_code == 302
    assert edit["Location"] == reverse("applications:edit", args=[draft.pk])
    client.post(action_url(draft, "submit"), {})
    draft.refresh_from_db()
    assert draft.state == CaseState.SUBMITTED
    assert LedgerEntry.objects.get(case=draft).action == "submit"


def test_chief_reassigns_the_specialist(client, world):
    successor = MembershipFactory(agency=world.agency, role=Role.SPECIALIST).user
    as_user(client, world.users.chief).post(action_url(world.case, "reassign_specialist"), {
        "specialist": successor.pk, "reason": "原专员调岗",
    })
    world.case.refresh_from_db()
    assert world.case.specialist == successor
    entry = LedgerEntry.objects.get(case=world.case)
    assert (entry.action, entry.reason) == ("reassign_specialist", "原专员调岗")


def test_terminating_for_other_reasons_needs_a_note(client, world):
    as_user(client, world.users.chief)
    response = client.post(action_url(world.case, "terminate"), {"reason": "other"})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    world.case.refresh_from_db()
    assert world.case.state == CaseState.IN_PROGRESS
    client.post(action_url(world.case, "terminate"), {"reason": "other", "note": "项目取消"})
    world.case.refresh_from_db()
    assert world.case.state == CaseState.TERMINATED
    world.pushed.refresh_from_db()
    assert world.pushed.state == ItemState.WITHDRAWN


# ------------------------------------------------------------------------ item actions


def test_department_accepts_a_pushed_item(client, world):
    response = as_user(client, world.users.department).post(
        item_action_url(world.pushed, "accept"), {}
    )
    assert response.status_code == 302
    world.pushed.refresh_from_db()
    assert world.pushed.state == ItemState.ACCEPTED
    entry = LedgerEntry.objects.get(item=world.pushed)
    assert (entry.actor_role, entry.from_state, entry.to_state) == (
        Role.DEPARTMENT_REPRESENTATIVE, "pushed", "accepted")


def test_department_cannot_reach_an_item_not_pushed_to_it(client, world):
    as_user(client, world.users.department)
    assert client.get(item_action_url(world.hidden, "accept")).status_code == 404
    assert client.post(item_action_url(world.hidden, "withdraw"),
                       {"reason": "x"}).status_code == 404
    world.hidden.refresh_from_db()
    assert world.hidden.state == ItemState.PLANNED


def test_department_approves_with_a_result_file(client, world):
    world.pushed.state = ItemState.ACCEPTED
    world.pushed.save()
    as_user(client, world.users.department).post(item_action_url(world.pushed, "approve"), {
        "result_number": "滨建施〔2026〕12号", "result_file": pdf_upload("permit.pdf"),
    })
    world.pushed.refresh_from_db()
    assert world.pushed.state == ItemState.APPROVED
    assert world.pushed.result_document.kind == DocumentKind.RESULT


def test_supplement_requested_and_supplied(client, world):
    world.pushed.state = ItemState.ACCEPTED
    world.pushed.save()
    as_user(client, world.users.department).post(
        item_action_url(world.pushed, "request_supplement"), {"reason": "缺少消防设计说明"}
    )
    world.pushed.refresh_from_db()
    assert world.pushed.state == ItemState.SUPPLEMENT_REQUESTED

    as_user(client, world.users.applicant)
    page = client.get(item_action_url(world.pushed, "supply_supplement"))
    assert "缺少消防设计说明" in page.content.decode()
    client.post(item_action_url(world.pushed, "supply_supplement"), {
        "answer": "已补充", "files": [pdf_upload("a.pdf"), pdf_upload("b.pdf")],
    })
    world.pushed.refresh_from_db()
    assert world.pushed.state == ItemState.ACCEPTED
    assert Document.objects.filter(item=world.pushed, kind=DocumentKind.SUPPLEMENT).count() == 2


def test_specialist_moves_an_item_through_preparation(client, world):
    as_user(client, world.users.specialist)
    client.post(item_action_url(world.hidden, "start_preparing"), {})
    world.hidden.refresh_from_db()
    assert world.hidden.state == ItemState.PREPARING
    client.post(item_action_url(world.hidden, "upload_material"),
                {"title": "营业执照", "file": pdf_upload()})
    client.post(item_action_url(world.hidden, "pass_review"), {"note": ""})
    world.hidden.refresh_from_db()
    assert world.hidden.state == ItemState.REVIEWED
    assert Document.objects.filter(item=world.hidden, title="营业执照").exists()


def test_an_upload_whose_content_is_not_allowed_is_refused_on_the_form(client, world):
    world.hidden.state = ItemState.PREPARING
    world.hidden.save()
    fake = SimpleUploadedFile("plan.pdf", b"just text, not a PDF", content_type="application/pdf")
    response = as_user(client, world.users.specialist).post(
        item_action_url(world.hidden, "upload_material"), {"title": "图纸", "file": fake}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Document.objects.filter(item=world.hidden).exists()


def test_item_actions_stop_while_the_case_is_suspended(client, world):
    world.case.state = CaseState.SUSPENDED
    world.case.suspended_from_state = CaseState.IN_PROGRESS
    world.case.save()
    response = as_user(client, world.users.department).post(
        item_action_url(world.pushed, "accept"), {}, follow=True
    )
    assert len(error_messages(response)) == 1
    world.pushed.refresh_from_db()
    assert world.pushed.state == ItemState.PUSHED


def test_pushing_an_item_whose_prerequisite_is_open_is_refused(client, world):
    world.hidden.state = ItemState.REVIEWED
    world.hidden.save()
    world.hidden.prerequisites.add(world.pushed)
    response = as_user(client, world.users.specialist).post(
        item_action_url(world.hidden, "push"), {}, follow=True
    )
    assert len(error_messages(response)) == 1
    world.hidden.refresh_from_db()
    assert world.hidden.state == ItemState.REVIEWED


def test_a_second_click_on_the_same_item_action_changes_nothing(client, world):
    as_user(client, world.users.department)
    client.post(item_action_url(world.pushed, "accept"), {})
    response = client.post(item_action_url(world.pushed, "accept"), {}, follow=True)
    assert len(error_messages(response)) == 1
    assert LedgerEntry.objects.filter(item=world.pushed).count() == 1


# --------------------------------------------------------------------------- case list


def test_case_list_shows_visible_cases_only(client, world):
    other = CaseFactory(in_progress=True)
    html = as_user(client, world.users.chief).get(reverse("cases:list")).content.decode()
    assert world.case.number in html
    assert other.number not in html


def test_a_companys_draft_stays_its_own_until_submitted(client, world):
    draft = CaseFactory(agency=world.agency, project=world.case.project)
    assert draft.state == CaseState.DRAFT
    for role in ("chief", "supervisor"):
        user = getattr(world.users, role)
        html = as_user(client, user).get(reverse("cases:list")).content.decode()
        assert draft.number not in html
        assert as_user(client, user).get(detail_url(draft)).status_code == 404
    assert as_user(client, world.users.applicant).get(detail_url(draft)).status_code == 200


def test_case_list_filters(client, world):
    agent = CaseFactory(submitted=True, agency=world.agency, mode=ServiceMode.AGENT)
    as_user(client, world.users.chief)
    url = reverse("cases:list")

    def numbers(**params):
        return {c["number"] for c in client.get(url, params).context["page"].object_list}

    assert numbers(state="submitted") == {agent.number}
    assert numbers(mode="agent") == {agent.number}
    assert numbers(q=world.case.project.name) == {world.case.number}
    assert numbers(q=agent.number) == {agent.number}
    assert numbers(agency=world.agency.pk) == {agent.number, world.case.number}


def test_case_list_for_a_department_and_a_company(client, world):
    other_case = CaseFactory(in_progress=True, agency=world.agency)
    CaseItemFactory(case=other_case, department=world.department, state=ItemState.PLANNED)
    html = as_user(client, world.users.department).get(reverse("cases:list")).content.decode()
    assert world.case.number in html
    assert other_case.number not in html
    html = as_user(client, world.users.other_company).get(reverse("cases:list")).content.decode()
    assert world.case.number not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_case_list_query_count_does_not_grow_with_the_list(client, world,
                                                            django_assert_num_queries):
    as_user(client, world.users.chief)
    url = reverse("cases:list")
    CaseFactory.create_batch(2, in_progress=True, agency=world.agency)
    few = _queries(client, url)
    CaseFactory.create_batch(27, in_progress=True, agency=world.agency)
    with django_assert_num_queries(few):
        client.get(url)


def _add_items(world, n):
    """Items pushed to the department, each with a prerequisite, a document and a ledger entry,
    so every prefetch of the case page has rows to fetch."""
    for _ in range(n):
        item = CaseItemFactory(case=world.case, department=world.department,
                               state=ItemState.ACCEPTED, accepted_at=timezone.now(),
                               warning_level="green", due_date=timezone.localdate())
        item.prerequisites.add(world.pushed)
        ClockPause.objects.create(item=item, cause=PauseCause.SPECIAL_PROCEDURE,
                                  kind="testing", attributed_to="department",
                                  started_at=timezone.now())
        Document.objects.create(case=world.case, item=item, kind=DocumentKind.MATERIAL,
                                title="x", file="x.pdf", original_name="x.pdf",
                                content_type="application/pdf", size=1, sha256="0" * 64,
                                uploaded_by=world.users.specialist)
        LedgerEntry.objects.create(case=world.case, item=item, actor=world.users.specialist,
                                   actor_role=Role.SPECIALIST, action="push",
                                   from_state="reviewed", to_state="pushed")


# The case page's queries for each viewer, with every section filled (_add_items).
CASE_PAGE_QUERIES = {"specialist": 17, "department": 15, "applicant": 16}


@pytest.mark.parametrize("role", ["specialist", "department", "applicant"])
def test_case_page_query_count_does_not_grow_with_items(client, world, role,
                                                        django_assert_num_queries):
    as_user(client, getattr(world.users, role))
    url = detail_url(world.case)
    _add_items(world, 2)
    client.get(url)  # the process's first request loads the working-day calendar
    few = _queries(client, url)
    _add_items(world, 28)
    with django_assert_num_queries(few):
        client.get(url)
    assert few == CASE_PAGE_QUERIES[role]


def test_case_states_are_all_labelled_on_the_page(client, world):
    # Every case state renders with its badge class (guards template typos). The specialist
    # may open the case in every state; a chief does not see drafts.
    as_user(client, world.users.specialist)
    for state in CaseState:
        Case.objects.filter(pk=world.case.pk).update(state=state)
        html = client.get(detail_url(world.case)).content.decode()
        assert f"badge-state-{state.value}" in html


# ----------------------------------------------------------------------------- the clock


def _accept(world):
    return services.accept_item(item=world.pushed, by=world.users.department)


def test_the_case_page_shows_each_item_clock_and_its_light(client, world):
    item = _accept(world)
    html = as_user(client, world.users.specialist).get(
        detail_url(world.case), headers={"accept-language": "en"}).content.decode()
    row = html[html.index(f'id="item-{item.pk}"'):]
    assert f"data-due-date>{item.due_date:%Y-%m-%d}<" in row
    assert 'data-warning="green"' in row
    assert "0 of 5 used" in row


def test_a_department_gets_extend_and_special_procedure_buttons_on_accepted_items(client, world):
    item = _accept(world)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = as_user(client, world.users.department).get(detail_url(world.case)).content.decode()
    for name in ("extend", "start_special_procedure"):
        assert f'data-item-action="{name}"' in html
    assert 'data-item-action="end_special_procedure"' not in html
    html = as_user(client, world.users.specialist).get(detail_url(world.case)).content.decode()
    assert 'data-item-action="extend"' not in html
    response = as_user(client, world.users.department).post(
        item_action_url(item, "start_special_procedure"),
        {"kind": "expert_review", "reason": "需专家评审"})
    assert response.status_code == 302
    html = client.get(detail_url(world.case)).content.decode()
    assert 'data-item-action="end_special_procedure"' in html
    assert 'data-item-action="start_special_procedure"' not in html
    assert "clock paused" in html


def test_the_extend_form_refuses_too_many_days_and_a_missing_reason(client, world):
    item = _accept(world)
    as_user(client, world.users.department)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = item_action_url(item, "extend")
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, {"days": "11", "reason": "情况复杂"})
    assert response.status_code == 200
    assert "At most 10 days" in response.content.decode()
    response = client.post(url, {"days": "abc", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"days", "reason"}
    item.refresh_from_db()
    assert item.extended_days == 0
    response = client.post(url, {"days": "10", "reason": "情况复杂"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.extended_days == 10


def test_lists_show_the_warning_light(client, world):
    item = _accept(world)
    CaseItem.objects.filter(pk=item.pk).update(warning_level="red")
    html = as_user(client, world.users.chief).get(reverse("cases:list")).content.decode()
    assert 'data-warning="red"' in html
    html = as_user(client, world.users.department).get(reverse("portal:workbench")).content.decode()
    assert 'data-warning="red"' in html
    response = as_user(client, world.users.supervisor).get(reverse("portal:workbench"))
    section = response.context["supervisor"]
    row = next(r for r in section["rows"] if r["agency"] == world.agency)
    assert row["warnings"] == [0, 0, 1]  # green, yellow, red
    assert 'id="overview-warnings"' in response.content.decode()
