"""The rectification a bad rating opens: every (state, founded, action, role) combination of
workflow.py through the services, and the two paths to closing (founded, unfounded)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.core.errors import DomainError, InvalidTransition, NotAllowed
from bangban.evaluations import services
from bangban.evaluations.models import Rectification
from bangban.evaluations.services import submit_evaluation
from bangban.evaluations.tests.conftest import NOW, make_world
from bangban.evaluations.workflow import (
    RECTIFICATION_ACTIONS,
    RectificationFacts,
    RectificationState,
    rectification_actions_for,
)
from bangban.notifications.models import Notification

ROLES = [Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.SPECIALIST, Role.APPLICANT,
         Role.DEPARTMENT_REPRESENTATIVE, "outsider", "other_chief"]

CALLS = {
    "verify": {"founded": True, "finding": "经核实，专员未一次性告知补正材料"},
    "rectify": {"measures": "对专员进行约谈，修订一次性告知清单"},
    "return_visit": {"feedback": "企业表示认可整改结果"},
    "close": {"note": "整改完成"},
}


def _bad_rating(world):
    evaluation = submit_evaluation(by=world.applicant, case=world.case, item=world.approved,
                                   rating=5, comment="材料反复退回")
    return evaluation.rectification


def _in_state(rectification, state, founded):
    """Puts the rectification in `state` as if its earlier steps had been done."""
    fields = {"state": state}
    if state != RectificationState.OPEN:
        fields.update(founded=founded, finding="核实情况")
    if state in (RectificationState.RECTIFIED, RectificationState.VISITED,
                 RectificationState.CLOSED) and founded:
        fields["measures"] = "整改措施"
    Rectification.objects.filter(pk=rectification.pk).update(**fields)
    rectification.refresh_from_db()
    return rectification


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
# An open rectification has not been verified yet: whether it is founded is not known.
@pytest.mark.parametrize(("state", "founded"), [
    (state, founded) for state in RectificationState for founded in (True, False)
    if not (state == RectificationState.OPEN and founded is False)
])
@pytest.mark.parametrize("name", list(RECTIFICATION_ACTIONS))
def test_rectification_action_matrix(name, state, founded, role):
    world = make_world()
    rectification = _in_state(_bad_rating(world), state, founded)
    facts = RectificationFacts(founded=rectification.founded)
    action = RECTIFICATION_ACTIONS[name]
    allowed = action.allows(state, {role}, facts)
    by = world.user(role)
    before = LedgerEntry.objects.count()
    call = services.RECTIFICATION_ACTION_SERVICES[name]
    if allowed:
        call(rectification=rectification, by=by, **CALLS[name])
        rectification.refresh_from_db()
        assert rectification.state == action.target
        entry = LedgerEntry.objects.get(action=f"rectification_{name}")
        assert entry.actor == by and entry.details["rectification"] == rectification.pk
    else:
        with pytest.raises(DomainError):
            call(rectification=rectification, by=by, **CALLS[name])
        rectification.refresh_from_db()
        assert rectification.state == state
        assert LedgerEntry.objects.count() == before


def test_only_chiefs_act_and_the_paths_are_as_documented():
    chief = {Role.CHIEF_SPECIALIST}
    founded, unfounded = RectificationFacts(True), RectificationFacts(False)

    def names(state, facts):
        return [a.name for a in rectification_actions_for(state, chief, facts)]

    assert names(RectificationState.OPEN, RectificationFacts()) == ["verify"]
    assert names(RectificationState.VERIFIED, founded) == ["rectify"]
    assert names(RectificationState.VERIFIED, unfounded) == ["return_visit"]
    assert names(RectificationState.RECTIFIED, founded) == ["return_visit"]
    assert names(RectificationState.VISITED, founded) == ["close"]
    assert names(RectificationState.CLOSED, founded) == []
    for role in (Role.SUPERVISOR, Role.SPECIALIST, Role.APPLICANT):
        for state in RectificationState:
            assert rectification_actions_for(state, {role}, founded) == []


@pytest.mark.django_db
def test_founded_complaint_is_verified_rectified_visited_and_closed(world):
    rectification = _bad_rating(world)
    rectification = services.verify_rectification(rectification=rectification, by=world.chief,
                                                  founded=True, finding="情况属实")
    assert rectification.verified_by == world.chief and rectification.founded is True
    rectification = services.rectify(rectification=rectification, by=world.chief,
                                     measures="约谈专员并整改")
    rectification = services.record_return_visit(rectification=rectification, by=world.chief,
                                                 feedback="企业满意")
    rectification = services.close_rectification(rectification=rectification, by=world.chief)
    assert rectification.state == RectificationState.CLOSED and not rectification.is_overdue
    entries = LedgerEntry.objects.filter(details__evaluation=rectification.evaluation_id)
    assert list(entries.order_by("pk").values_list("action", flat=True)) == [
        "evaluate", "rectification_open", "rectification_verify", "rectification_rectify",
        "rectification_return_visit", "rectification_close"]
    assert entries.get(action="rectification_return_visit").details["on_time"] is True
    # Each step tells the specialist (and the other chiefs), not the chief who did it.
    verified = Notification.objects.filter(event="evaluation_rectification_verify")
    assert set(verified.values_list("recipient", flat=True)) == {world.specialist.pk}


@pytest.mark.django_db
def test_unfounded_complaint_skips_rectification(world):
    rectification = services.verify_rectification(rectification=_bad_rating(world),
                                                  by=world.chief, founded=False,
                                                  finding="经核实，退回系材料不符合法定要求")
    with pytest.raises(InvalidTransition):
        services.rectify(rectification=rectification, by=world.chief, measures="无")
    rectification = services.record_return_visit(rectification=rectification, by=world.chief,
                                                 feedback="已向企业解释，企业表示理解")
    assert rectification.state == RectificationState.VISITED and rectification.measures == ""


@pytest.mark.django_db
def test_bad_input_changes_nothing(world):
    rectification = _bad_rating(world)
    for kwargs in ({"founded": None, "finding": "x"}, {"founded": True, "finding": "  "}):
        with pytest.raises(ValidationError):
            services.verify_rectification(rectification=rectification, by=world.chief, **kwargs)
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.OPEN and rectification.founded is None


@pytest.mark.django_db
def test_second_click_is_already_done(world):
    rectification = _bad_rating(world)
    services.verify_rectification(rectification=rectification, by=world.chief, founded=True,
                                  finding="属实")
    with pytest.raises(InvalidTransition, match="Already done"):
        services.verify_rectification(rectification=rectification, by=world.chief,
                                      founded=False, finding="不属实")
    rectification.refresh_from_db()
    assert rectification.founded is True


@pytest.mark.django_db
def test_chief_of_another_agency_is_not_allowed(world):
    with pytest.raises(NotAllowed):
        services.verify_rectification(rectification=_bad_rating(world), by=world.other_chief,
                                      founded=True, finding="x")


@pytest.mark.django_db
def test_overdue_after_the_due_date_until_the_return_visit(world, clock):
    rectification = _bad_rating(world)
    clock.set(datetime.datetime.combine(rectification.due_date, NOW.timetz()))
    assert not rectification.is_overdue
    clock.set(clock.now + datetime.timedelta(days=1))
    assert rectification.is_overdue
    rectification = services.verify_rectification(rectification=rectification, by=world.chief,
                                                  founded=False, finding="不属实")
    assert rectification.is_overdue
    rectification = services.record_return_visit(rectification=rectification, by=world.chief,
                                                 feedback="企业认可")
    assert not rectification.is_overdue
    entry = LedgerEntry.objects.get(action="rectification_return_visit")
    assert entry.details["on_time"] is False
