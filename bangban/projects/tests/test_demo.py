"""The demo's key-project team, without building the whole demo."""

from collections import Counter

import pytest
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.workflow import ItemState
from bangban.core.demo import DemoClock
from bangban.projects.demo import play_key_projects
from bangban.projects.models import KeyProjectTeam
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    MembershipFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, chief):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []
        self.chief = chief

    def log(self, message):
        self.messages.append(message)

    def chief_for(self, agency):
        return self.chief


def test_demo_sets_up_the_team_of_a_running_key_project():
    ProjectFactory(is_key_project=True)  # without a case: the running one is preferred
    case = CaseFactory(in_progress=True, project=ProjectFactory(is_key_project=True))
    case.project.agency = case.agency
    case.project.save()
    MembershipFactory(agency=case.agency, role=Role.SPECIALIST, user=case.specialist)
    chief = MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user
    item = CaseItemFactory(case=case, state=ItemState.ACCEPTED, pushed_at=timezone.now())
    rep = MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                            department=item.department)
    builder = Builder(chief)
    with builder.clock.installed():
        assert play_key_projects(builder) == 1
        assert play_key_projects(builder) == 0
    team = KeyProjectTeam.objects.get()
    assert team.project == case.project and team.specialist == case.specialist
    assert [m.user for m in team.members.all()] == [rep.user]
