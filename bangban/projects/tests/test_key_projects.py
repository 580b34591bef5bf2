"""Key projects (Hunan 三(二)): the dedicated team and the key-project dynamic ledger."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bangban.accounts.models import Role
from bangban.cases.workflow import ItemState
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.models import Notification
from bangban.projects.models import KeyProjectTeam
from bangban.projects.services import set_up_key_project_team
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    ProjectFactory,
    StageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def key(db):
    agency = AgencyFactory()
    project = ProjectFactory(agency=agency, is_key_project=True)
    department = DepartmentFactory(agency=agency)
    return {
        "agency": agency, "project": project,
        "chief": MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user,
        "specialist": MembershipFactory(agency=agency, role=Role.SPECIALIST).user,
        "supervisor": MembershipFactory(agency=agency, role=Role.SUPERVISOR).user,
        "rep": MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                 department=department),
    }


def _set_up(key, by=None, **kwargs):
    fields = {"project": key["project"], "specialist": key["specialist"],
              "chief": key["chief"], "representatives": [key["rep"]], "note": "一项目一专班"}
    fields.update(kwargs)
    return set_up_key_project_team(by=by or key["chief"], **fields)


def test_a_chief_specialist_sets_up_the_team_and_everyone_on_it_is_told(key):
    team = _set_up(key)
    assert team.specialist == key["specialist"] and team.chief == key["chief"]
    assert [(m.user, m.department) for m in team.members.all()] == [
        (key["rep"].user, key["rep"].department)]
    told = set(Notification.objects.filter(event="key_project_team")
               .values_list("recipient_id", flat=True))
    assert told == {key["specialist"].pk, key["chief"].pk, key["rep"].user_id}
    changed = _set_up(key, representatives=[])
    assert changed.pk == team.pk and not changed.members.exists()
    assert KeyProjectTeam.objects.count() == 1


@pytest.mark.parametrize("who", ["specialist", "supervisor", "outsider", "other_chief"])
def test_only_a_chief_specialist_of_the_agency_sets_it_up(key, who):
    user = {"outsider": UserFactory(),
            "other_chief": MembershipFactory(role=Role.CHIEF_SPECIALIST).user}.get(who)
    with pytest.raises(NotAllowed):
        _set_up(key, by=user or key[who])
    assert not KeyProjectTeam.objects.exists()


def test_a_general_project_has_no_team(key):
    key["project"].is_key_project = False
    key["project"].save()
    with pytest.raises(InvalidTransition):
        _set_up(key)


def test_team_members_must_belong_to_the_agency(key):
    stranger = MembershipFactory(role=Role.SPECIALIST).user
    other_rep = MembershipFactory(role=Role.DEPARTMENT_REPRESENTATIVE,
                                  department=DepartmentFactory())
    with pytest.raises(ValidationError) as error:
        _set_up(key, specialist=stranger, chief=key["specialist"],
                representatives=[other_rep])
    assert set(error.value.message_dict) == {"specialist", "chief", "representatives"}
    assert not KeyProjectTeam.objects.exists()
    assert not Notification.objects.exists()


def test_the_project_page_shows_the_team_and_the_setup_page_is_for_chiefs(key, client):
    _set_up(key)
    url = reverse("projects:detail", args=[key["project"].pk])
    client.force_login(key["specialist"])
    body = client.get(url).content.decode()
    assert 'id="key-team"' in body and key["rep"].user.display_name in body
    setup = reverse("projects:key_team", args=[key["project"].pk])
    assert client.get(setup).status_code == 403
    assert client.post(setup, {"specialist": key["chief"].pk,
                               "chief": key["chief"].pk}).status_code == 403
    assert KeyProjectTeam.objects.get().specialist == key["specialist"]
    client.force_login(UserFactory())
    assert client.get(setup).status_code == 404


def test_setting_up_through_the_page(key, client):
    client.force_login(key["chief"])
    setup = reverse("projects:key_team", args=[key["project"].pk])
    assert client.get(setup).status_code == 200
    forged = client.post(setup, {"specialist": UserFactory().pk, "chief": key["chief"].pk})
    assert forged.status_code == 200 and "specialist" in forged.context["form"].errors
    assert not KeyProjectTeam.objects.exists()
    response = client.post(setup, {"specialist": key["specialist"].pk,
                                   "chief": key["chief"].pk,
                                   "representatives": [key["rep"].pk], "note": ""})
    assert response.status_code == 302
    assert KeyProjectTeam.objects.get().members.count() == 1
    again = client.get(setup)
    assert again.context["form"].initial["representatives"] == [key["rep"].pk]


def _key_case(key, n):
    project = ProjectFactory(agency=key["agency"], is_key_project=True)
    case = CaseFactory(in_progress=True, agency=key["agency"], project=project)
    filing, permit = StageFactory(code=1, name="立项用地规划许可"), StageFactory(code=3,
                                                                                 name="施工许可")
    CaseItemFactory(case=case, matter=MatterFactory(stage=filing), state=ItemState.APPROVED)
    CaseItemFactory(case=case, matter=MatterFactory(stage=permit), state=ItemState.ACCEPTED,
                    warning_level="yellow")
    if n % 2:
        set_up_key_project_team(project=project, by=key["chief"], specialist=key["specialist"],
                                chief=key["chief"], representatives=[key["rep"]])
    return case


def test_key_ledger_lists_key_projects_with_stage_and_lights(key, client,
                                                             django_assert_num_queries):
    ProjectFactory(agency=key["agency"])  # a general project is not in the ledger
    _key_case(key, 1)
    client.force_login(key["supervisor"])
    url = reverse("projects:key_ledger")
    client.get(url)
    with django_assert_num_queries(9) as one:
        response = client.get(url)
    body = response.content.decode()
    assert body.count("data-project=") == 2  # the case's project and the team-less one
    assert 'data-stage="3"' in body and 'data-warning="yellow"' in body
    for n in range(2, 8):
        _key_case(key, n)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-stage="3"') == 7


def test_key_ledger_is_for_staff_of_the_agency(key, client):
    _key_case(key, 1)
    client.force_login(UserFactory())
    assert client.get(reverse("projects:key_ledger")).status_code == 403
    client.force_login(MembershipFactory(role=Role.SUPERVISOR).user)
    response = client.get(reverse("projects:key_ledger"))
    assert b"data-project=" not in response.content
