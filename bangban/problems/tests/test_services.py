"""Each problem service: the transition it makes, who may make it, and that a refusal or bad
input changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.documents.models import Document
from bangban.notifications.models import Notification
from bangban.problems import services
from bangban.problems.models import FeedbackLetter, Problem, ProblemEscalation, ProblemPolicy
from bangban.problems.selectors import policy_for
from bangban.problems.tests.conftest import LEVEL_1_DUE, TODAY, make_world
from bangban.problems.workflow import Closure, ProblemLevel, ProblemState
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MembershipFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def _recipients(event):
    return set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def _snapshot():
    return (Problem.objects.count(), LedgerEntry.objects.count(), Notification.objects.count(),
            Document.objects.count(), ProblemEscalation.objects.count(),
            FeedbackLetter.objects.count())


# ------------------------------------------------------------------------------ raise


def test_company_raises_a_problem_on_its_item(world):
    problem = world.raise_problem(attachment=pdf_upload("letter.pdf"))
    assert problem.number == f"WT{problem.raised_at:%Y}{problem.pk:06d}"
    assert (problem.state, problem.level) == (ProblemState.OPEN, ProblemLevel.SPECIALIST)
    assert problem.department == world.item.department
    assert problem.due_on == LEVEL_1_DUE
    assert problem.next_escalation_on == LEVEL_1_DUE + datetime.timedelta(days=1)
    assert problem.raised_as == Role.APPLICANT
    document = problem.attachments.get()
    assert document.case == world.case and document.item == world.item
    entry = LedgerEntry.objects.get(action="problem_raise")
    assert entry.case == world.case and entry.item == world.item
    assert entry.details["problem"] == problem.number and entry.actor == world.applicant
    assert _recipients("problem_raised") == {world.department.pk, world.specialist.pk}


def test_specialist_raises_a_problem_on_the_case_naming_a_department(world):
    other = DepartmentFactory(agency=world.case.agency)
    problem = world.raise_problem(by=world.specialist, item=None, department=other)
    assert problem.item is None and problem.department == other
    assert problem.raised_as == Role.SPECIALIST
    assert LedgerEntry.objects.get(action="problem_raise").item is None


def test_the_level_due_date_follows_the_agency_policy_inherited_from_the_parent(db):
    parent = AgencyFactory()
    child = AgencyFactory(parent=parent)
    ProblemPolicy.objects.create(agency=parent, level_1_days=1)
    assert policy_for(child).level_1_days == 1
    world = make_world(agency=child)
    assert world.raise_problem().due_on == datetime.date(2025, 3, 4)


@pytest.mark.parametrize("who", [Role.DEPARTMENT_REPRESENTATIVE, Role.SUPERVISOR, "outsider"])
def test_only_the_company_and_the_service_side_raise(world, who):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        world.raise_problem(by=world.user(who))
    assert _snapshot() == before


def test_another_companys_contact_cannot_raise_on_the_case(world):
    stranger = CaseFactory(in_progress=True).company_contact.user
    with pytest.raises(NotAllowed):
        world.raise_problem(by=stranger)
    assert not Problem.objects.exists()


@pytest.mark.parametrize("fields, field", [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": ""}, "description"),
    ({"requested_outcome": " "}, "requested_outcome"),
    ({"item": None}, "department"),
])
def test_bad_input_is_refused_and_changes_nothing(world, fields, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        world.raise_problem(**fields)
    assert field in error.value.message_dict
    assert _snapshot() == before


def test_an_item_of_another_case_is_refused(world):
    foreign = CaseItemFactory(case=CaseFactory(in_progress=True))
    with pytest.raises(ValidationError) as error:
        world.raise_problem(item=foreign)
    assert "item" in error.value.message_dict
    assert not Problem.objects.exists()


def test_a_department_other_than_the_items_is_refused(world):
    other = DepartmentFactory(agency=world.case.agency)
    with pytest.raises(ValidationError) as error:
        world.raise_problem(department=other)
    assert "department" in error.value.message_dict


def test_a_department_that_does_not_serve_the_case_is_refused(world):
    with pytest.raises(ValidationError) as error:
        world.raise_problem(item=None, department=DepartmentFactory())
    assert "department" in error.value.message_dict


def test_a_bad_attachment_is_refused_and_nothing_is_kept(world):
    before = _snapshot()
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        world.raise_problem(attachment=fake)
    assert "attachment" in error.value.message_dict
    assert _snapshot() == before


@pytest.mark.parametrize("state", [CaseState.DRAFT, CaseState.COMPLETED, CaseState.TERMINATED])
def test_no_problem_on_a_draft_or_closed_case(world, state):
    world.case.state = state
    world.case.save()
    with pytest.raises(InvalidTransition):
        world.raise_problem()
    assert not Problem.objects.exists()


# ------------------------------------------------------------------------------ actions


@pytest.fixture
def problem(world):
    return world.raise_problem()


def test_department_answers_and_the_specialist_relays_and_the_company_confirms(world, problem):
    problem = services.answer_problem(problem=problem, by=world.department,
                                      answer="审查意见将于周五出具")
    assert problem.state == ProblemState.ANSWERED and problem.next_escalation_on is None
    assert _recipients("problem_answered") == {world.specialist.pk}
    problem = services.relay_answer(problem=problem, by=world.specialist,
                                    answer="住建局答复：审查意见周五出具")
    assert problem.state == ProblemState.RELAYED
    assert problem.relayed_answer == "住建局答复：审查意见周五出具"
    assert _recipients("problem_answer_relayed") == {world.applicant.pk}
    problem = services.confirm_resolution(problem=problem, by=world.applicant)
    assert (problem.state, problem.closure) == (ProblemState.CLOSED, Closure.CONFIRMED)
    assert problem.closed_by == world.applicant
    assert list(LedgerEntry.objects.filter(action__startswith="problem_")
                .values_list("action", flat=True)) == [
        "problem_raise", "problem_answer", "problem_relay", "problem_confirm"]


def test_a_second_answer_is_already_done(world, problem):
    services.answer_problem(problem=problem, by=world.department, answer="已处理")
    with pytest.raises(InvalidTransition, match="Already done"):
        services.answer_problem(problem=problem, by=world.department, answer="再次答复")
    problem.refresh_from_db()
    assert problem.answer == "已处理"


def test_the_company_may_say_it_is_not_resolved(world, problem):
    services.answer_problem(problem=problem, by=world.department, answer="已处理")
    services.relay_answer(problem=problem, by=world.specialist, answer="已处理")
    problem = services.reopen_problem(problem=problem, by=world.applicant, reason="仍未出具")
    assert problem.state == ProblemState.OPEN and problem.level == ProblemLevel.SPECIALIST
    assert problem.next_escalation_on == LEVEL_1_DUE + datetime.timedelta(days=1)
    assert LedgerEntry.objects.get(action="problem_reopen").reason == "仍未出具"


def test_specialist_escalates_by_hand_with_a_reason(world, problem):
    problem = services.escalate_problem(problem=problem, by=world.specialist,
                                        reason="涉及多个部门", today=TODAY)
    assert problem.level == ProblemLevel.CHIEF and problem.state == ProblemState.OPEN
    assert problem.due_on == datetime.date(2025, 3, 10)  # 5 working days
    escalation = problem.escalations.get()
    assert (escalation.from_level, escalation.to_level, escalation.automatic) == (1, 2, False)
    assert escalation.reason == "涉及多个部门"
    assert world.chief.pk in _recipients("problem_escalated")
    assert world.applicant.pk in _recipients("problem_escalated")
    assert world.supervisor.pk not in _recipients("problem_escalated")


def test_escalation_through_all_four_levels_reaches_the_leadership(world, problem):
    for _ in range(3):
        problem = services.escalate_problem(problem=problem, by=world.chief, reason="未解决",
                                            today=TODAY)
    assert problem.level == ProblemLevel.LEADERSHIP_MEETING
    assert problem.next_escalation_on is None
    assert problem.due_on == datetime.date(2025, 3, 24)  # 15 working days
    assert world.supervisor.pk in _recipients("problem_escalated")
    assert list(problem.escalations.values_list("to_level", flat=True)) == [2, 3, 4]
    with pytest.raises(InvalidTransition):
        services.escalate_problem(problem=problem, by=world.chief, reason="再升级", today=TODAY)


def test_escalation_by_hand_needs_a_reason(world, problem):
    with pytest.raises(ValidationError) as error:
        services.escalate_problem(problem=problem, by=world.specialist, reason="  ")
    assert "reason" in error.value.message_dict
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.SPECIALIST
    assert not ProblemEscalation.objects.exists()


def test_feedback_letter_passes_the_request_on(world, problem):
    problem = services.send_feedback_letter(problem=problem, by=world.chief,
                                            addressee="区供电局", content="企业申请增容，请研究")
    letter = problem.feedback_letter
    assert letter.number == f"FK{letter.sent_on:%Y}{letter.pk:06d}"
    assert problem.state == ProblemState.FORWARDED and problem.next_escalation_on is None
    assert LedgerEntry.objects.get(action="problem_feedback_letter").details["letter"] == \
        letter.number
    assert _recipients("problem_feedback_letter") == {world.applicant.pk}
    problem = services.confirm_resolution(problem=problem, by=world.applicant)
    assert problem.state == ProblemState.CLOSED


@pytest.mark.parametrize("fields, field", [
    ({"addressee": " "}, "addressee"),
    ({"content": ""}, "content"),
    ({"sent_on": datetime.date(2999, 1, 1)}, "sent_on"),
    ({"sent_on": datetime.date(2000, 1, 1)}, "sent_on"),
])
def test_feedback_letter_bad_input_changes_nothing(world, problem, fields, field):
    values = {"addressee": "区供电局", "content": "请研究", **fields}
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.send_feedback_letter(problem=problem, by=world.chief, **values)
    assert field in error.value.message_dict
    assert _snapshot() == before
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN


def test_chief_closes_with_a_reason(world, problem):
    with pytest.raises(ValidationError):
        services.close_problem(problem=problem, by=world.chief, reason=" ")
    problem = services.close_problem(problem=problem, by=world.chief, reason="企业联系不上")
    assert (problem.state, problem.closure) == (ProblemState.CLOSED, Closure.WITH_REASON)
    assert problem.closing_reason == "企业联系不上"
    with pytest.raises(InvalidTransition, match="Already done"):
        services.close_problem(problem=problem, by=world.chief, reason="再关一次")


@pytest.mark.parametrize("who", [Role.SPECIALIST, Role.APPLICANT, Role.SUPERVISOR,
                                 Role.DEPARTMENT_REPRESENTATIVE])
def test_only_the_chief_closes_without_confirmation(world, problem, who):
    with pytest.raises(NotAllowed):
        services.close_problem(problem=problem, by=world.user(who), reason="关闭")
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN


def test_a_chief_of_another_agency_has_no_say(world, problem):
    stranger = MembershipFactory(role=Role.CHIEF_SPECIALIST).user
    with pytest.raises(NotAllowed):
        services.close_problem(problem=problem, by=stranger, reason="关闭")


def test_the_company_cannot_confirm_before_the_answer_reaches_it(world, problem):
    services.answer_problem(problem=problem, by=world.department, answer="已处理")
    with pytest.raises(InvalidTransition):
        services.confirm_resolution(problem=problem, by=world.applicant)
    problem.refresh_from_db()
    assert problem.state == ProblemState.ANSWERED
