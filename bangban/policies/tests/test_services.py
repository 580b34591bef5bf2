"""Placing policies in a case's service guide: who may, when, and what is recorded."""

import pytest

from bangban.accounts.models import Role
from bangban.cases.models import LedgerEntry
from bangban.cases.templatetags.case_tags import ledger_action
from bangban.cases.workflow import CaseState
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.models import Notification
from bangban.policies.models import CasePolicy
from bangban.policies.services import link_policy_to_case, unlink_policy_from_case
from bangban.policies.tests.conftest import make_world
from bangban.policies.tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.CHIEF_SPECIALIST])
def test_specialist_or_chief_links_a_policy_with_a_ledger_entry_and_a_notification(world, role):
    by = world.user(role)
    link = link_policy_to_case(case=world.case, policy=world.policy, by=by, note=" 可申请补助 ")
    assert link.note == "可申请补助" and link.added_by == by
    entry = LedgerEntry.objects.get(case=world.case, action="policy_linked")
    assert entry.actor == by and entry.actor_role == role
    assert entry.details["policy"] == world.policy.pk
    assert str(ledger_action(entry)) == "Policy added to the service guide"
    assert Notification.objects.filter(recipient=world.applicant, event="policy_linked").exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.APPLICANT, "outsider"])
def test_others_may_not_link_or_unlink(world, role):
    with pytest.raises(NotAllowed):
        link_policy_to_case(case=world.case, policy=world.policy, by=world.user(role))
    link_policy_to_case(case=world.case, policy=world.policy, by=world.specialist)
    with pytest.raises(NotAllowed):
        unlink_policy_from_case(case=world.case, policy=world.policy, by=world.user(role))
    assert CasePolicy.objects.count() == 1


def test_a_second_link_and_an_unlink_of_nothing_say_already_done(world):
    link_policy_to_case(case=world.case, policy=world.policy, by=world.specialist)
    with pytest.raises(InvalidTransition, match="Already done"):
        link_policy_to_case(case=world.case, policy=world.policy, by=world.chief)
    unlink_policy_from_case(case=world.case, policy=world.policy, by=world.chief)
    assert not CasePolicy.objects.exists()
    assert LedgerEntry.objects.filter(case=world.case, action="policy_unlinked").count() == 1
    with pytest.raises(InvalidTransition, match="Already done"):
        unlink_policy_from_case(case=world.case, policy=world.policy, by=world.specialist)


@pytest.mark.parametrize("state", [CaseState.SUBMITTED, CaseState.COMPLETED,
                                   CaseState.TERMINATED])
def test_the_guide_of_a_case_not_taken_on_or_closed_cannot_change(db, state):
    world = make_world(state=state)
    with pytest.raises(InvalidTransition):
        link_policy_to_case(case=world.case, policy=world.policy, by=world.specialist)
    assert not LedgerEntry.objects.exists()


def test_an_unpublished_policy_cannot_be_linked(world):
    hidden = PolicyFactory(is_published=False)
    with pytest.raises(InvalidTransition):
        link_policy_to_case(case=world.case, policy=hidden, by=world.specialist)
    assert not CasePolicy.objects.exists()
