import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bangban.accounts.models import DepartmentKind, Role
from bangban.cases import services
from bangban.cases.models import (
    Case,
    HandoverMethod,
    LedgerEntry,
    ServiceMode,
    ServiceScope,
    SuspensionReason,
    TerminationReason,
)
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import DefaultItem, MatterMaterial
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.documents.models import Document
from bangban.notifications.models import Notification
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def agency_world():
    project = ProjectFactory()
    agency = project.agency
    contact = CompanyContactFactory(company=project.company)
    chief = MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user
    specialist = MembershipFactory(agency=agency, role=Role.SPECIALIST).user
    ndrc = DepartmentFactory(agency=agency, kind=DepartmentKind.DEVELOPMENT_REFORM)
    housing = DepartmentFactory(agency=agency, kind=DepartmentKind.HOUSING_CONSTRUCTION)
    representative = MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                       department=housing).user
    filing = MatterFactory(code="03", name="企业投资项目备案",
                           department_kind=DepartmentKind.DEVELOPMENT_REFORM, promised_limit=1)
    permit = MatterFactory(code="23", name="建筑工程施工许可证",
                           department_kind=DepartmentKind.HOUSING_CONSTRUCTION, promised_limit=5)
    permit.prerequisites.add(filing)
    MatterMaterial.objects.create(matter=permit, name="施工合同")
    for position, matter in enumerate([filing, permit]):
        DefaultItem.objects.create(category=project.category, matter=matter, position=position)
    return dict(project=project, contact=contact, company_user=contact.user, chief=chief,
                specialist=specialist, representative=representative, ndrc=ndrc,
                housing=housing, filing=filing, permit=permit)


def _submitted(w, mode=ServiceMode.ASSIST):
    case = services.create_application(
        by=w["company_user"], project=w["project"], company_contact=w["contact"], mode=mode,
        scope=ServiceScope.FULL, project_summary="新建厂房",
    )
    return services.submit_application(case=case, by=w["company_user"])


def _in_progress(w):
    case = _submitted(w)
    services.accept_application(case=case, by=w["chief"], specialist=w["specialist"])
    services.generate_plan(case=case, by=w["specialist"])
    return services.publish_plan(case=case, by=w["specialist"])


def test_a_case_goes_from_application_to_completion(agency_world, django_capture_on_commit_callbacks):
    w = agency_world
    with django_capture_on_commit_callbacks(execute=True):
        case = _in_progress(w)
        filing, permit = case.items.order_by("position")
        assert [filing.matter, permit.matter] == [w["filing"], w["permit"]]
        assert list(permit.prerequisites.all()) == [filing]
        assert permit.planned_start > filing.planned_end

        for item, representative in ((filing, None), (permit, w["representative"])):
            services.start_preparing(item=item, by=w["specialist"])
            services.upload_item_material(item=item, by=w["company_user"], file=pdf_upload(),
                                          title="申请材料")
            services.pass_review(item=item, by=w["specialist"])
            services.push_item(item=item, by=w["specialist"])
            dept_user = representative or MembershipFactory(
                agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                department=w["ndrc"]).user
            services.accept_item(item=item, by=dept_user)
            if representative:
                services.request_supplement(item=item, by=dept_user, reason="补充施工合同")
                services.supply_supplement(item=item, by=w["company_user"], answer="已上传",
                                           files=[pdf_upload("contract.pdf")])
            services.approve_item(item=item, by=dept_user, result_number=f"第{item.pk}号",
                                  result_file=pdf_upload("licence.pdf"))

        services.record_handover(case=case, by=w["specialist"], method=HandoverMethod.MAIL,
                                 tracking_number="SF1234567890")
        services.confirm_completion(case=case, by=w["company_user"])

    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED
    assert case.completion_confirmed_by == w["contact"]
    actions = list(LedgerEntry.objects.filter(case=case).values_list("action", flat=True))
    assert actions[:5] == ["create_application", "submit", "accept", "generate_plan",
                           "publish_plan"]
    assert actions[-2:] == ["record_handover", "confirm_completion"]
    assert actions.count("approve") == 2
    events = set(Notification.objects.filter(recipient=w["company_user"])
                 .values_list("event", flat=True))
    assert {"application_received", "application_accepted", "plan_published",
            "supplement_requested", "item_approved", "results_handed_over"} <= events
    assert Notification.objects.filter(recipient=w["representative"],
                                       event="item_pushed").exists()


def test_an_agent_case_cannot_be_planned_before_its_agreement(agency_world):
    w = agency_world
    case = _submitted(w, mode=ServiceMode.AGENT)
    services.accept_application(case=case, by=w["chief"], specialist=w["specialist"])
    with pytest.raises(InvalidTransition, match="agreement"):
        services.generate_plan(case=case, by=w["specialist"])
    services.record_agreement(case=case, by=w["specialist"], signed_on=datetime.date(2026, 3, 2),
                              file=pdf_upload("agreement.pdf"))
    services.generate_plan(case=case, by=w["specialist"])
    case.refresh_from_db()
    assert case.state == CaseState.PLANNED
    assert case.agreement.document.kind == "agreement"


def test_rejection_needs_a_reason_and_tells_the_company(agency_world,
                                                         django_capture_on_commit_callbacks):
    w = agency_world
    case = _submitted(w)
    with pytest.raises(ValidationError):
        services.reject_application(case=case, by=w["chief"], reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_application(case=case, by=w["chief"], reason="项目不在服务范围")
    note = Notification.objects.get(recipient=w["company_user"], event="application_rejected")
    assert note.body == "项目不在服务范围"


def test_only_a_specialist_of_the_agency_can_be_assigned(agency_world):
    w = agency_world
    case = _submitted(w)
    with pytest.raises(ValidationError):
        services.accept_application(case=case, by=w["chief"], specialist=UserFactory())
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_suspension_stops_every_item_and_resume_returns_to_the_previous_state(agency_world):
    w = agency_world
    case = _in_progress(w)
    item = case.items.order_by("position").first()
    services.suspend_case(case=case, by=w["specialist"],
                          reason=SuspensionReason.MATERIALS_OVERDUE, note="多次催促未提供")
    with pytest.raises(InvalidTransition):
        services.start_preparing(item=item, by=w["specialist"])
    with pytest.raises(ValidationError):
        services.resume_case(case=case, by=w["specialist"], note="")
    services.resume_case(case=case, by=w["specialist"], note="企业已补齐材料，双方同意继续")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    assert case.suspension_reason == ""
    services.start_preparing(item=item, by=w["specialist"])


def test_an_unknown_suspension_reason_is_refused(agency_world):
    case = _in_progress(agency_world)
    with pytest.raises(ValidationError):
        services.suspend_case(case=case, by=agency_world["specialist"], reason="bored")


def test_termination_withdraws_every_open_item(agency_world):
    w = agency_world
    case = _in_progress(w)
    with pytest.raises(NotAllowed):
        services.terminate_case(case=case, by=w["specialist"],
                                reason=TerminationReason.COMPANY_REQUEST)
    with pytest.raises(ValidationError):
        services.terminate_case(case=case, by=w["chief"], reason=TerminationReason.OTHER)
    services.terminate_case(case=case, by=w["chief"], reason=TerminationReason.LAW_CHANGED)
    assert set(case.items.values_list("state", flat=True)) == {ItemState.WITHDRAWN}


def test_reassigning_needs_a_reason_and_notifies_the_company(agency_world,
                                                            django_capture_on_commit_callbacks):
    w = agency_world
    case = _in_progress(w)
    successor = MembershipFactory(agency=case.agency, role=Role.SPECIALIST).user
    with pytest.raises(ValidationError):
        services.reassign_specialist(case=case, by=w["chief"], specialist=successor, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.reassign_specialist(case=case, by=w["chief"], specialist=successor,
                                     reason="原专员调岗")
    case.refresh_from_db()
    assert case.specialist == successor
    assert Notification.objects.filter(recipient=w["company_user"],
                                       event="specialist_changed").exists()


def test_an_item_waits_for_its_prerequisites(agency_world):
    w = agency_world
    case = _in_progress(w)
    permit = case.items.get(matter=w["permit"])
    services.start_preparing(item=permit, by=w["specialist"])
    services.upload_item_material(item=permit, by=w["specialist"], file=pdf_upload())
    services.pass_review(item=permit, by=w["specialist"])
    with pytest.raises(InvalidTransition, match="企业投资项目备案"):
        services.push_item(item=permit, by=w["specialist"])


def test_formal_review_needs_the_materials(agency_world):
    w = agency_world
    case = _in_progress(w)
    permit = case.items.get(matter=w["permit"])
    services.start_preparing(item=permit, by=w["specialist"])
    with pytest.raises(ValidationError):
        services.pass_review(item=permit, by=w["specialist"])


def test_completion_needs_the_representative_and_the_handover(agency_world):
    w = agency_world
    case = CaseFactory(in_progress=True, project=w["project"], company_contact=w["contact"])
    CaseItemFactory(case=case, state=ItemState.APPROVED)
    helper = CompanyContactFactory(company=w["project"].company, is_representative=False)
    with pytest.raises(InvalidTransition, match="handed over"):
        services.confirm_completion(case=case, by=w["company_user"])
    with pytest.raises(NotAllowed):
        services.confirm_completion(case=case, by=helper.user)
    with pytest.raises(ValidationError):
        services.record_handover(case=case, by=case.specialist, method=HandoverMethod.MAIL)


def test_a_second_click_gets_already_done(agency_world):
    w = agency_world
    case = _submitted(w)
    services.accept_application(case=case, by=w["chief"], specialist=w["specialist"])
    with pytest.raises(InvalidTransition, match="Already done"):
        services.accept_application(case=case, by=w["chief"], specialist=w["specialist"])
    assert LedgerEntry.objects.filter(case=case, action="accept").count() == 1


def test_another_company_cannot_apply_for_a_project(agency_world):
    w = agency_world
    stranger = CompanyContactFactory()
    with pytest.raises(NotAllowed):
        services.create_application(
            by=stranger.user, project=w["project"], company_contact=w["contact"],
            mode=ServiceMode.ASSIST, scope=ServiceScope.FULL, project_summary="x",
        )
    assert not Case.objects.exists()


def test_scope_decides_what_an_application_must_name(agency_world):
    w = agency_world
    with pytest.raises(ValidationError) as error:
        services.create_application(
            by=w["company_user"], project=w["project"], company_contact=w["contact"],
            mode=ServiceMode.ASSIST, scope=ServiceScope.SINGLE, project_summary="x",
        )
    assert "requested_matters" in error.value.message_dict


def test_the_ledger_cannot_be_edited_or_deleted(agency_world):
    case = _submitted(agency_world)
    entry = LedgerEntry.objects.filter(case=case).first()
    entry.reason = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(case=case).update(reason="changed")
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(case=case).delete()


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def test_a_disguised_executable_is_refused_by_content(agency_world):
    w = agency_world
    case = _in_progress(w)
    item = case.items.first()
    fake = SimpleUploadedFile("材料.pdf", EXE_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError, match="accepted type"):
        services.upload_item_material(item=item, by=w["company_user"], file=fake)
    assert not Document.objects.filter(item=item).exists()
    assert not LedgerEntry.objects.filter(item=item).exists()


def test_a_file_over_the_limit_is_refused(agency_world, settings):
    w = agency_world
    settings.UPLOAD_MAX_BYTES = 100
    case = _in_progress(w)
    item = case.items.first()
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 200)
    with pytest.raises(ValidationError, match="at most"):
        services.upload_item_material(item=item, by=w["company_user"], file=big)
    assert not Document.objects.exists()


def test_uploads_keep_versions_hashes_and_never_the_uploaded_name(agency_world):
    w = agency_world
    case = _in_progress(w)
    item = case.items.first()
    first = services.upload_item_material(item=item, by=w["company_user"],
                                          file=pdf_upload("../../etc/passwd.pdf"), title="红线图")
    second = services.upload_item_material(item=item, by=w["company_user"],
                                           file=pdf_upload(), title="红线图")
    assert (first.version, second.version) == (1, 2)
    assert len(first.sha256) == 64
    assert ".." not in first.file.name and "passwd" not in first.file.name
    assert first.original_name == "passwd.pdf"
