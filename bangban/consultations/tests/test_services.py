import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState
from bangban.consultations import services
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import (
    CONSULTATION_ACTIONS,
    FIRST_RESPONDER,
    Channel,
    ConsultationState,
)
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.models import Notification
from tests.factories import CompanyContactFactory, MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _record(world, by=None, **kwargs):
    fields = {"agency": world.agency, "channel": Channel.PHONE, "asker_name": "王经理",
              "asker_phone": "139 0000 1234", "asker_company_name": "某某建设有限公司",
              "question": "厂房项目需要办理哪些审批？", "service_recommended": True}
    fields.update(kwargs)
    return services.record_consultation(by=by or world.specialist, **fields)


def _answered(world, **kwargs):
    return _record(world, answer="需办理立项、规划、施工许可等，可申请全程代办。", **kwargs)


def test_the_logger_is_the_first_responder_and_a_first_inquiry_needs_the_recommendation(world):
    with pytest.raises(ValidationError) as error:
        _record(world, service_recommended=False)
    assert "service_recommended" in error.value.message_dict
    assert not Consultation.objects.exists()
    consultation = _record(world)
    assert consultation.first_responder == world.specialist
    assert consultation.is_first_inquiry and consultation.service_recommended
    assert consultation.state == ConsultationState.OPEN
    assert consultation.asker_phone == "13900001234"


def test_a_second_inquiry_by_phone_company_or_name_is_not_a_first_one(world):
    _record(world)
    again = _record(world, asker_company_name="", service_recommended=False,
                    asker_phone="139-0000-1234")
    assert not again.is_first_inquiry
    by_name = _record(world, asker_phone="", service_recommended=False)
    assert not by_name.is_first_inquiry
    first = _record(world, company=world.contact.company, asker_phone="", asker_company_name="")
    by_company = _record(world, company=world.contact.company, asker_phone="",
                         asker_company_name="", service_recommended=False)
    assert first.is_first_inquiry and not by_company.is_first_inquiry


def test_the_database_refuses_a_first_inquiry_without_recommendation(world):
    consultation = _record(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.filter(pk=consultation.pk).update(service_recommended=False)


def test_a_known_contacts_phone_links_the_contact(world):
    consultation = _record(world, company=world.contact.company,
                           asker_phone=world.contact.phone)
    assert consultation.company_contact == world.contact
    services.answer_consultation(consultation=consultation, by=world.specialist, answer="答")
    assert Notification.objects.filter(recipient=world.contact.user).count() == 1


def test_an_answer_given_at_once_answers_the_consultation(world):
    consultation = _answered(world)
    assert consultation.state == ConsultationState.ANSWERED
    assert consultation.answered_by == world.specialist and consultation.answered_at


@pytest.mark.parametrize("who", ["outsider", "supervisor", "district_specialist"])
def test_only_the_agencys_specialists_log_consultations(world, who):
    with pytest.raises(NotAllowed):
        _record(world, by=getattr(world, who))
    assert not Consultation.objects.exists()


def test_a_city_specialist_may_log_for_a_district(world):
    assert _record(world, agency=world.district).agency == world.district


def test_bad_input_is_refused_with_a_message(world):
    with pytest.raises(ValidationError) as error:
        _record(world, question="  ", asker_name="")
    assert {"question", "asker_name"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        _record(world, channel="fax")
    other = CompanyContactFactory()
    with pytest.raises(ValidationError) as error:
        _record(world, company=world.contact.company, company_contact=other)
    assert "company_contact" in error.value.message_dict
    assert not Consultation.objects.exists()


def test_first_responder_or_chief_answers_once(world):
    consultation = _record(world, company_contact=world.contact)
    for who in (world.colleague, world.supervisor, world.outsider):
        with pytest.raises(NotAllowed):
            services.answer_consultation(consultation=consultation, by=who, answer="答复")
    with pytest.raises(ValidationError):
        services.answer_consultation(consultation=consultation, by=world.specialist, answer=" ")
    services.answer_consultation(consultation=consultation, by=world.chief, answer="答复")
    consultation.refresh_from_db()
    assert consultation.answered_by == world.chief
    assert consultation.first_responder == world.specialist  # responsibility stays recorded
    assert Notification.objects.filter(recipient=world.contact.user,
                                       event="consultation_answered").count() == 1
    with pytest.raises(InvalidTransition, match="Already done"):
        services.answer_consultation(consultation=consultation, by=world.specialist,
                                     answer="再答")


def _convert(world, consultation, by=None, **kwargs):
    fields = {"project": world.project, "company_contact": world.contact, "mode": "agent",
              "scope": "full", "project_summary": "新建厂房三栋"}
    fields.update(kwargs)
    return services.convert_to_application(consultation=consultation,
                                           by=by or world.specialist, **fields)


def test_converting_prepares_a_draft_for_the_contact(world):
    consultation = _answered(world, company=world.contact.company)
    consultation = _convert(world, consultation)
    case = consultation.case
    assert consultation.state == ConsultationState.CONVERTED
    assert consultation.converted_by == world.specialist
    assert case.state == CaseState.DRAFT and case.created_by == world.contact.user
    assert case.company_contact == world.contact and case.project == world.project
    entry = LedgerEntry.objects.get(case=case, action="consultation_converted")
    assert entry.actor == world.specialist and entry.actor_role == Role.SPECIALIST
    assert entry.details["consultation"] == consultation.pk
    assert Notification.objects.filter(recipient=world.contact.user,
                                       event="consultation_converted").exists()
    with pytest.raises(InvalidTransition, match="Already done"):
        _convert(world, consultation)


def test_conversion_needs_an_answer_and_the_right_people(world):
    consultation = _record(world)
    with pytest.raises(InvalidTransition):
        _convert(world, consultation)
    consultation = _answered(world)
    for who in (world.colleague, world.supervisor, world.outsider):
        with pytest.raises(NotAllowed):
            _convert(world, consultation, by=who)
    assert _convert(world, consultation, by=world.chief).case is not None


def test_conversion_refuses_a_contact_without_account_or_of_another_company(world):
    consultation = _answered(world)
    no_account = CompanyContactFactory(company=world.contact.company, user=None)
    with pytest.raises(ValidationError) as error:
        _convert(world, consultation, company_contact=no_account)
    assert "company_contact" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _convert(world, consultation, company_contact=CompanyContactFactory())
    assert "company_contact" in error.value.message_dict
    with pytest.raises(ValidationError):
        _convert(world, consultation, scope="single")  # no item chosen
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.ANSWERED and consultation.case is None
    assert not LedgerEntry.objects.exists()


def test_conversion_refuses_a_project_of_another_company_or_agency(world):
    consultation = _answered(world, company=world.contact.company)
    with pytest.raises(ValidationError) as error:
        _convert(world, consultation, project=ProjectFactory())
    assert "project" in error.value.message_dict
    free = _answered(world, asker_phone="13700000000", asker_company_name="")
    elsewhere = ProjectFactory(company=world.contact.company)
    with pytest.raises(ValidationError) as error:
        _convert(world, free, project=elsewhere)
    assert "project" in error.value.message_dict


@pytest.mark.parametrize("state", list(ConsultationState))
@pytest.mark.parametrize("name", list(CONSULTATION_ACTIONS))
@pytest.mark.parametrize("role", [FIRST_RESPONDER, Role.CHIEF_SPECIALIST, Role.SPECIALIST,
                                  Role.SUPERVISOR])
def test_workflow_table(world, state, name, role):
    action = CONSULTATION_ACTIONS[name]
    expected = state in action.sources and role in (FIRST_RESPONDER, Role.CHIEF_SPECIALIST)
    assert action.allows(state, {role}) is expected


def test_a_district_chief_specialist_cannot_answer_a_city_consultation(world):
    consultation = _record(world)
    district_chief = MembershipFactory(agency=world.district, role=Role.CHIEF_SPECIALIST).user
    with pytest.raises(NotAllowed):
        services.answer_consultation(consultation=consultation, by=district_chief, answer="x")
