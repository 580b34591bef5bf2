"""Rating through the service: who may, what, when, once; a bad rating opens a rectification."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bangban.cases.models import LedgerEntry
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.deadlines.workdays import add_working_days
from bangban.evaluations.models import Evaluation, EvaluationPolicy, Rectification
from bangban.evaluations.selectors import policy_for
from bangban.evaluations.services import submit_evaluation
from bangban.evaluations.tests.conftest import NOW, TODAY, make_world
from bangban.evaluations.workflow import EvaluationChannel, Rating, RectificationState
from bangban.notifications.models import Notification
from tests.factories import AgencyFactory, CaseItemFactory, CompanyContactFactory

pytestmark = pytest.mark.django_db


def _nothing_changed(ledger_before=0):
    assert not Evaluation.objects.exists()
    assert not Rectification.objects.exists()
    assert LedgerEntry.objects.count() == ledger_before


def test_company_contact_rates_a_decided_item_from_the_portal(world):
    evaluation = submit_evaluation(by=world.applicant, case=world.case, item=world.approved,
                                   rating=Rating.VERY_SATISFIED, comment=" 办理很快 ")
    assert evaluation.channel == EvaluationChannel.PORTAL
    assert evaluation.contact == world.case.company_contact
    assert evaluation.entered_by == world.applicant
    assert evaluation.comment == "办理很快"
    assert evaluation.specialist == world.specialist
    assert evaluation.department == world.approved.department
    assert evaluation.agency == world.case.agency
    assert evaluation.rated_at == NOW
    entry = LedgerEntry.objects.get(action="evaluate")
    assert entry.item == world.approved and entry.actor_role == "applicant"
    assert entry.details == {"evaluation": evaluation.pk, "rating": 1, "channel": "portal"}
    assert not Rectification.objects.exists()


def test_a_refused_item_and_the_completed_case_can_be_rated(world):
    submit_evaluation(by=world.applicant, case=world.case, item=world.refused,
                      rating=Rating.BASICALLY_SATISFIED)
    case_rating = submit_evaluation(by=world.applicant, case=world.case, rating="2")
    assert case_rating.item is None and case_rating.department is None
    assert case_rating.rating == Rating.SATISFIED
    assert Evaluation.objects.count() == 2


def test_specialist_enters_a_rating_at_the_window_for_a_contact(world):
    evaluation = submit_evaluation(by=world.specialist, case=world.case, item=world.approved,
                                   rating=Rating.SATISFIED, channel=EvaluationChannel.WINDOW,
                                   contact=world.colleague)
    assert evaluation.channel == EvaluationChannel.WINDOW
    assert evaluation.contact == world.colleague and evaluation.entered_by == world.specialist
    assert LedgerEntry.objects.get(action="evaluate").actor_role == "specialist"


def test_chief_may_enter_a_window_rating_but_needs_a_contact_of_the_company(world):
    stranger = CompanyContactFactory()
    for contact in (None, stranger):
        with pytest.raises(ValidationError) as error:
            submit_evaluation(by=world.chief, case=world.case, item=world.approved, rating=2,
                              channel=EvaluationChannel.WINDOW, contact=contact)
        assert "contact" in error.value.message_dict
    _nothing_changed()
    submit_evaluation(by=world.chief, case=world.case, item=world.approved, rating=2,
                      channel=EvaluationChannel.WINDOW, contact=world.colleague)
    assert LedgerEntry.objects.get(action="evaluate").actor_role == "chief_specialist"


@pytest.mark.parametrize("who", ["specialist", "chief", "supervisor", "department", "outsider",
                                 "other_company", "other_chief"])
def test_only_the_company_rates_on_the_portal(world, who):
    with pytest.raises(NotAllowed):
        submit_evaluation(by=getattr(world, who), case=world.case, item=world.approved,
                          rating=1)
    _nothing_changed()


@pytest.mark.parametrize("who", ["applicant", "supervisor", "department", "outsider",
                                 "other_chief"])
def test_only_specialist_and_chief_enter_window_ratings(world, who):
    with pytest.raises(NotAllowed):
        submit_evaluation(by=getattr(world, who), case=world.case, item=world.approved,
                          rating=1, channel=EvaluationChannel.WINDOW, contact=world.colleague)
    _nothing_changed()


@pytest.mark.parametrize("item", ["running", "withdrawn"])
def test_an_item_not_decided_cannot_be_rated(world, item):
    with pytest.raises(InvalidTransition, match="Only a decided item can be rated"):
        submit_evaluation(by=world.applicant, case=world.case, item=getattr(world, item),
                          rating=1)
    _nothing_changed()


def test_a_case_not_completed_cannot_be_rated(world):
    world.case.state = "in_progress"
    world.case.save()
    with pytest.raises(InvalidTransition, match="once it is completed"):
        submit_evaluation(by=world.applicant, case=world.case, rating=1)
    _nothing_changed()


def test_an_item_of_another_case_is_refused(world):
    foreign = CaseItemFactory(state="approved", decided_at=NOW)
    with pytest.raises(ValidationError):
        submit_evaluation(by=world.applicant, case=world.case, item=foreign, rating=1)
    _nothing_changed()


def test_second_rating_of_the_same_item_is_already_done(world):
    submit_evaluation(by=world.applicant, case=world.case, item=world.approved, rating=1)
    for by, extra in ((world.applicant, {}),
                      (world.specialist, {"channel": "window", "contact": world.colleague})):
        with pytest.raises(InvalidTransition, match="Already done"):
            submit_evaluation(by=by, case=world.case, item=world.approved, rating=5,
                              comment="差", **extra)
    assert Evaluation.objects.get().rating == 1
    assert LedgerEntry.objects.count() == 1


def test_the_unique_constraints_hold_one_rating_per_item_and_per_case(world):
    first = submit_evaluation(by=world.applicant, case=world.case, item=world.approved, rating=1)
    case_rating = submit_evaluation(by=world.applicant, case=world.case, rating=1)
    for original in (first, case_rating):
        copy = Evaluation.objects.get(pk=original.pk)
        copy.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            copy.save()


def test_rating_window_comes_from_the_policy_of_the_nearest_agency(clock, db):
    parent = AgencyFactory()
    child = AgencyFactory(parent=parent)
    EvaluationPolicy.objects.create(agency=parent, rating_window_days=10, rectification_days=5)
    world = make_world(decided_days_ago=10, agency=child)
    assert policy_for(child).rating_window_days == 10
    submit_evaluation(by=world.applicant, case=world.case, item=world.approved, rating=1)
    clock.set(NOW + datetime.timedelta(days=1))  # the 11th day after the decision
    with pytest.raises(InvalidTransition, match="ended on 2025-09-26"):
        submit_evaluation(by=world.applicant, case=world.case, item=world.refused, rating=1)
    assert Evaluation.objects.count() == 1


def test_default_window_is_the_setting(settings, db):
    settings.EVALUATION_DEFAULTS = {"rating_window_days": 3, "rectification_days": 7}
    world = make_world(decided_days_ago=4)
    assert policy_for(world.case.agency).rectification_days == 7
    with pytest.raises(InvalidTransition, match="period for rating ended"):
        submit_evaluation(by=world.applicant, case=world.case, item=world.approved, rating=1)
    _nothing_changed()


@pytest.mark.parametrize("rating", ["", "0", "6", "x", None])
def test_a_rating_outside_the_five_levels_is_refused(world, rating):
    with pytest.raises(ValidationError) as error:
        submit_evaluation(by=world.applicant, case=world.case, item=world.approved,
                          rating=rating)
    assert "rating" in error.value.message_dict
    _nothing_changed()


@pytest.mark.parametrize("rating", [Rating.DISSATISFIED, Rating.VERY_DISSATISFIED])
def test_a_bad_rating_needs_a_comment(world, rating):
    with pytest.raises(ValidationError) as error:
        submit_evaluation(by=world.applicant, case=world.case, item=world.approved,
                          rating=rating, comment="  ")
    assert "comment" in error.value.message_dict
    _nothing_changed()


def test_a_bad_rating_opens_a_rectification_due_in_working_days(world):
    EvaluationPolicy.objects.create(agency=world.case.agency, rectification_days=10)
    evaluation = submit_evaluation(by=world.applicant, case=world.case, item=world.approved,
                                   rating=Rating.DISSATISFIED, comment="材料反复退回三次")
    rectification = evaluation.rectification
    assert rectification.state == RectificationState.OPEN
    # catalog.md's reference: 10 working days after Friday 2025-09-26 is 2025-10-16.
    assert rectification.due_date == datetime.date(2025, 10, 16)
    assert rectification.due_date == add_working_days(TODAY, 10, agency=world.case.agency)
    assert list(LedgerEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "evaluate", "rectification_open"]
    recipients = set(Notification.objects.filter(event="evaluation_bad_rating")
                     .values_list("recipient", flat=True))
    assert recipients == {world.chief.pk, world.specialist.pk}


def test_a_neutral_rating_opens_nothing(world):
    submit_evaluation(by=world.applicant, case=world.case, rating=Rating.BASICALLY_SATISFIED)
    assert not Rectification.objects.exists()
    assert not Notification.objects.exists()
