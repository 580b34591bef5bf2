"""The workbench: a section for every role the user holds, each a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bangban.accounts.models import Agency, Role
from bangban.cases.models import ClockPause
from bangban.cases.workflow import CaseState, ItemState
from bangban.deadlines.models import WarningLevel
from bangban.supervision.models import SupervisionNotice
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("portal:workbench")
SECTIONS = {
    Role.APPLICANT: "section-company",
    Role.CHIEF_SPECIALIST: "section-chief",
    Role.SPECIALIST: "section-specialist",
    Role.DEPARTMENT_REPRESENTATIVE: "section-department",
    Role.SUPERVISOR: "section-supervisor",
}


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def department(agency):
    return DepartmentFactory(agency=agency)


@pytest.fixture
def users(agency, department):
    return {
        Role.APPLICANT: CompanyContactFactory().user,
        Role.SPECIALIST: MembershipFactory(agency=agency, role=Role.SPECIALIST).user,
        Role.CHIEF_SPECIALIST: MembershipFactory(agency=agency,
                                                 role=Role.CHIEF_SPECIALIST).user,
        Role.DEPARTMENT_REPRESENTATIVE: MembershipFactory(
            agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE, department=department).user,
        Role.SUPERVISOR: MembershipFactory(agency=agency, role=Role.SUPERVISOR).user,
    }


def sections_shown(response):
    html = response.content.decode()
    return {role for role, anchor in SECTIONS.items() if f'id="{anchor}"' in html}


def test_anonymous_visitors_get_the_public_introduction(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:home")


@pytest.mark.parametrize("role", list(SECTIONS))
def test_each_role_sees_its_own_section(client, users, role):
    client.force_login(users[role])
    response = client.get(URL)
    assert response.status_code == 200
    assert sections_shown(response) == {role}


def test_a_user_with_several_roles_sees_several_sections(client, agency, department):
    user = CompanyContactFactory().user
    MembershipFactory(user=user, agency=agency, role=Role.SPECIALIST)
    MembershipFactory(user=user, agency=agency, role=Role.SUPERVISOR)
    client.force_login(user)
    assert sections_shown(client.get(URL)) == {
        Role.APPLICANT, Role.SPECIALIST, Role.SUPERVISOR}


def test_a_user_without_roles_gets_a_hint(client):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 200
    assert sections_shown(response) == set()


def test_company_section_lists_own_cases_and_projects_only(client, users):
    user = users[Role.APPLICANT]
    company = user.company_contacts.get().company
    own = CaseFactory(project=ProjectFactory(company=company), submitted=True)
    project = ProjectFactory(company=company, name="自有项目")
    other = CaseFactory(submitted=True)
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert own.number in html
    assert project.name in html
    assert other.number not in html
    try:
        assert reverse("applications:new") in html
    except NoReverseMatch:
        pass


def test_chief_sees_intake_queue_and_filters_agency_cases(client, users, agency):
    submitted = CaseFactory(submitted=True, agency=agency)
    running = CaseFactory(in_progress=True, agency=agency)
    sub_agency = AgencyFactory(parent=agency, level=Agency.Level.COUNTY)
    below = CaseFactory(in_progress=True, agency=sub_agency)
    elsewhere = CaseFactory(submitted=True)
    client.force_login(users[Role.CHIEF_SPECIALIST])
    context = client.get(URL).context["chief"]
    assert [c["number"] for c in context["intake"]] == [submitted.number]
    assert {c["number"] for c in context["cases"]} == {submitted.number, running.number,
                                                    below.number}
    filtered = client.get(URL, {"state": CaseState.IN_PROGRESS}).context["chief"]
    assert {c["number"] for c in filtered["cases"]} == {running.number, below.number}
    assert elsewhere.number not in client.get(URL).content.decode()


def test_specialist_sees_own_cases_and_waiting_items(client, users, agency, department):
    specialist = users[Role.SPECIALIST]
    case = CaseFactory(in_progress=True, agency=agency, specialist=specialist)
    waiting = CaseItemFactory(case=case, department=department, state=ItemState.PREPARING)
    CaseItemFactory(case=case, department=department, state=ItemState.PUSHED)
    someone_elses = CaseFactory(in_progress=True, agency=agency)
    client.force_login(specialist)
    section = client.get(URL).context["specialist"]
    assert [c["number"] for c in section["cases"]] == [case.number]
    assert [i["pk"] for i in section["items"]] == [waiting.pk]
    assert someone_elses.number not in client.get(URL).content.decode()


def test_department_sees_items_pushed_to_it(client, users, agency, department):
    case = CaseFactory(in_progress=True, agency=agency)
    pushed = CaseItemFactory(case=case, department=department, state=ItemState.PUSHED)
    CaseItemFactory(case=case, department=department, state=ItemState.PLANNED)
    CaseItemFactory(case=case, state=ItemState.PUSHED)  # another department
    client.force_login(users[Role.DEPARTMENT_REPRESENTATIVE])
    section = client.get(URL).context["department"]
    assert [i["pk"] for i in section["items"]] == [pushed.pk]


def test_department_tables_link_the_items_and_notices_and_show_their_dates(client, users,
                                                                          department):
    item = CaseItemFactory(department=department, state=ItemState.ACCEPTED,
                           planned_end=datetime.date(2026, 3, 9),
                           due_date=datetime.date(2026, 3, 20), warning_level=WarningLevel.RED)
    notice = SupervisionNotice.objects.create(
        number="DB2026000001", agency=item.case.agency, case=item.case, item=item,
        department=department, item_due_date=item.due_date,
        issued_at=datetime.datetime(2026, 3, 21, 9, 0, tzinfo=datetime.UTC),
        issued_by=UserFactory(), response_due=datetime.date(2026, 3, 27))
    client.force_login(users[Role.DEPARTMENT_REPRESENTATIVE])
    html = client.get(URL).content.decode()
    item_link = f'<a href="/cases/{item.case_id}/#item-{item.pk}">'
    assert f"{item_link}{item.matter.name}</a>" in html
    assert '<td class="text-nowrap">2026-03-09</td>' in html
    assert 'data-clock>2026-03-20 <span class="warning-light warning-light-red"' in html
    assert f'<a href="/supervision/{notice.pk}/">DB2026000001</a>' in html
    assert f"{item_link}{item.case.number}</a>" in html
    assert '<td class="text-nowrap">2026-03-27</td>' in html


def test_supervisor_overview_counts_per_agency(client, users, agency, department):
    sub_agency = AgencyFactory(parent=agency, level=Agency.Level.COUNTY)
    CaseFactory.create_batch(2, in_progress=True, agency=agency)
    case = CaseFactory(submitted=True, agency=sub_agency)
    CaseItemFactory(case=case, state=ItemState.PUSHED)
    client.force_login(users[Role.SUPERVISOR])
    section = client.get(URL).context["supervisor"]
    rows = {row["agency"].pk: row for row in section["rows"]}
    states = [s for s in CaseState if s != CaseState.DRAFT]
    assert rows[agency.pk]["cases"][states.index(CaseState.IN_PROGRESS)] == 2
    assert rows[sub_agency.pk]["cases"][states.index(CaseState.SUBMITTED)] == 1
    assert rows[sub_agency.pk]["items"][list(ItemState).index(ItemState.PUSHED)] == 1
    assert section["totals"]["cases"][states.index(CaseState.IN_PROGRESS)] == 2
    assert len(section["cases"].object_list) == 3


def test_supervisor_overview_counts_items_and_lights_per_agency(client, users, agency):
    # Read from the per-case tallies the database's triggers keep: a change of an item's
    # state or light must show at once, drafts included as before.
    case = CaseFactory(in_progress=True, agency=agency)
    red = CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level=WarningLevel.RED)
    CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level=WarningLevel.YELLOW)
    CaseItemFactory(case=CaseFactory(agency=agency), state=ItemState.PLANNED)  # a draft's
    red.state, red.warning_level = ItemState.APPROVED, ""
    red.save(update_fields=["state", "warning_level"])
    client.force_login(users[Role.SUPERVISOR])
    row = {r["agency"].pk: r for r in client.get(URL).context["supervisor"]["rows"]}[agency.pk]
    items = dict(zip(list(ItemState), row["items"]))
    assert (items[ItemState.ACCEPTED], items[ItemState.APPROVED],
            items[ItemState.PLANNED]) == (1, 1, 1)
    assert dict(zip(list(WarningLevel), row["warnings"])) == {
        WarningLevel.GREEN: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 0}


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def _grow(role, users, agency, department, n):
    """n more rows in the lists of `role`'s section."""
    user = users[role]
    for _ in range(n):
        if role == Role.APPLICANT:
            company = user.company_contacts.get().company
            CaseFactory(project=ProjectFactory(company=company, agency=agency), submitted=True)
        elif role == Role.CHIEF_SPECIALIST:
            CaseFactory(submitted=True, agency=agency)
            CaseFactory(in_progress=True, agency=agency)
        elif role == Role.SPECIALIST:
            case = CaseFactory(in_progress=True, agency=agency, specialist=user)
            CaseItemFactory(case=case, department=department, state=ItemState.PREPARING)
        elif role == Role.DEPARTMENT_REPRESENTATIVE:
            CaseItemFactory(case=CaseFactory(in_progress=True, agency=agency),
                            department=department, state=ItemState.PUSHED)
            # and one with a running clock and a warning light, its clock paused
            running = CaseItemFactory(case=CaseFactory(in_progress=True, agency=agency),
                                      department=department, state=ItemState.ACCEPTED,
                                      warning_level="yellow", due_date=agency.created_at.date())
            ClockPause.objects.create(item=running, cause="supplement", attributed_to="company",
                                      started_at=running.created_at)
        elif role == Role.SUPERVISOR:
            sub = AgencyFactory(parent=agency, level=Agency.Level.COUNTY)
            case = CaseFactory(in_progress=True, agency=sub)
            CaseItemFactory(case=case, state=ItemState.ACCEPTED)


@pytest.mark.parametrize("role", list(SECTIONS))
def test_workbench_query_count_does_not_grow_with_the_lists(client, users, agency, department,
                                                            role, django_assert_num_queries):
    client.force_login(users[role])
    _grow(role, users, agency, department, 3)
    few = _count(client)
    _grow(role, users, agency, department, 30)
    with django_assert_num_queries(few):
        response = client.get(URL)
    assert response.status_code == 200


def test_all_sections_together_run_a_constant_number_of_queries(client, agency, department,
                                                                 django_assert_num_queries):
    user = CompanyContactFactory().user
    for role in (Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR):
        MembershipFactory(user=user, agency=agency, role=role)
    MembershipFactory(user=user, agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                      department=department)
    users = {role: user for role in SECTIONS}
    client.force_login(user)
    for role in SECTIONS:
        _grow(role, users, agency, department, 2)
    few = _count(client)
    for role in SECTIONS:
        _grow(role, users, agency, department, 27)
    with django_assert_num_queries(few):
        client.get(URL)


def test_lists_are_paginated_and_keep_other_parameters(client, users, agency):
    CaseFactory.create_batch(30, in_progress=True, agency=agency)
    client.force_login(users[Role.CHIEF_SPECIALIST])
    response = client.get(URL, {"state": CaseState.IN_PROGRESS})
    page = response.context["chief"]["cases"]
    assert len(page.object_list) == 25
    assert "state=in_progress" in page.next_url and "agency_page=2" in page.next_url
    second = client.get(URL + page.next_url).context["chief"]["cases"]
    assert len(second.object_list) == 5
