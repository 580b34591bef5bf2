"""`manage.py demo_data`: one run builds the whole demo agency, a second run adds nothing.

Building the demo takes a while, so one test runs the command once and checks everything a
visitor relies on, then runs it again.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bangban.accounts.models import (
    Agency,
    Department,
    DepartmentKind,
    Membership,
    Role,
    User,
)
from bangban.accounts.system import SYSTEM_USERNAME
from bangban.cases import selectors
from bangban.cases.models import (
    Agreement,
    Case,
    CaseItem,
    LedgerEntry,
    ServiceMode,
    ServiceScope,
    SupplementRequest,
)
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import Matter
from bangban.companies.credit_code import validate_credit_code
from bangban.companies.models import Company, CompanyContact
from bangban.core.demo import MAIN_ACCOUNTS, PASSWORD
from bangban.documents.models import Document
from bangban.notifications.models import Notification, OutboxMessage
from bangban.projects.models import Category, Project, project_code_validator
from bangban.supervision.models import SupervisionNotice

COUNTED = [Agency, Department, User, Membership, Company, CompanyContact, Project, Case,
           CaseItem, Agreement, SupplementRequest, LedgerEntry, Document, SupervisionNotice]

PAST_ACCEPTANCE = {CaseState.ACCEPTED, CaseState.PLANNED, CaseState.IN_PROGRESS,
                   CaseState.SUSPENDED, CaseState.TERMINATED, CaseState.COMPLETED}


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def _run():
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def _assert_accounts(client, output):
    assert PASSWORD in output
    for username in MAIN_ACCOUNTS:
        assert username in output
        assert client.login(username=username, password=PASSWORD), username
        client.logout()

    city = Agency.objects.get(code="binzhou")
    assert User.objects.get(username="admin").is_superuser
    for username, role in [("admin", Role.ADMINISTRATOR), ("chief", Role.CHIEF_SPECIALIST),
                           ("specialist", Role.SPECIALIST), ("supervisor", Role.SUPERVISOR)]:
        assert Membership.objects.filter(user__username=username, agency=city, role=role).exists()
    department = Membership.objects.get(user__username="department")
    assert department.role == Role.DEPARTMENT_REPRESENTATIVE
    assert department.agency == city
    assert department.department.kind == DepartmentKind.HOUSING_CONSTRUCTION

    company_contact = CompanyContact.objects.get(user__username="company")
    assert company_contact.is_representative
    assert company_contact.company.contacts.count() >= 2

    specialists = Membership.objects.filter(role=Role.SPECIALIST).exclude(
        user__username="specialist")
    assert specialists.count() >= 6
    assert specialists.exclude(agency=city).exists()
    assert Membership.objects.filter(role=Role.CHIEF_SPECIALIST).exclude(agency=city).exists()
    assert Membership.objects.filter(role=Role.EXPERT).exists()
    for department in Department.objects.all():
        assert department.representatives.exists(), department
    # Every person has a name and a phone; the system user (the scan's actor) is nobody.
    for user in User.objects.exclude(username=SYSTEM_USERNAME):
        assert user.full_name and user.phone, user.username


def _assert_agencies_and_departments():
    city = Agency.objects.get(code="binzhou", level=Agency.Level.CITY)
    districts = Agency.objects.filter(parent=city, level=Agency.Level.COUNTY)
    assert set(districts.values_list("name", flat=True)) == {"滨城区政务服务中心",
                                                              "沾化区政务服务中心"}
    # Plans for district cases find every department the catalog names at the city.
    kinds_at_city = set(city.departments.values_list("kind", flat=True))
    used = set(Matter.objects.filter(is_active=True).values_list("department_kind", flat=True))
    assert used <= kinds_at_city
    for district in districts:
        assert district.departments.count() >= 4


def _assert_companies_and_projects():
    companies = Company.objects.all()
    assert companies.count() >= 30
    for company in companies:
        validate_credit_code(company.credit_code)
        assert 1 <= company.contacts.count() <= 3
        assert company.contacts.filter(is_representative=True).count() == 1

    projects = Project.objects.all()
    assert projects.count() >= 60
    categories = set(projects.values_list("category", flat=True))
    assert {Category.GOVERNMENT_BUILDING, Category.MUNICIPAL_LINEAR,
            Category.GENERAL_INDUSTRIAL, Category.SOCIAL_REAL_ESTATE,
            Category.OLD_RESIDENTIAL_RENOVATION, Category.LAND_WITH_DESIGN} <= categories
    for category in "ABCDEF":
        assert projects.filter(category=category).count() >= 3, category
    with_code = projects.exclude(code=None)
    assert with_code.count() > projects.count() * 0.8
    for project in with_code:
        project_code_validator(project.code)
    assert projects.filter(is_key_project=True).exists()


def _assert_cases():
    cases = Case.objects.all()
    assert set(cases.values_list("state", flat=True)) == set(CaseState.values)
    assert set(CaseItem.objects.values_list("state", flat=True)) == set(ItemState.values)
    assert set(cases.values_list("mode", flat=True)) == set(ServiceMode.values)
    assert set(cases.values_list("scope", flat=True)) == set(ServiceScope.values)
    for state in (CaseState.SUBMITTED, CaseState.PLANNED, CaseState.IN_PROGRESS,
                  CaseState.COMPLETED):
        assert cases.filter(state=state).count() >= 3, state

    for case in cases.filter(mode=ServiceMode.AGENT, state__in=PAST_ACCEPTANCE):
        assert Agreement.objects.filter(case=case).exists(), case

    for case in cases.filter(state=CaseState.COMPLETED):
        assert case.handed_over_at and case.completion_confirmed_by.is_representative


def _assert_ledger_tells_every_state_change():
    """Replaying each case's and each item's ledger entries arrives at its present state."""
    items = {item.pk: item for item in CaseItem.objects.all()}
    for case in Case.objects.prefetch_related("ledger"):
        case_state, item_states = None, {}
        for entry in case.ledger.all():
            if entry.action == "log_contact":
                # Records the case's state, with or without an item; changes nothing.
                assert entry.from_state == entry.to_state == case_state, case
                continue
            if entry.item_id is None:
                if entry.action == "create_application":
                    assert case_state is None
                    case_state = entry.to_state
                else:
                    assert entry.from_state == case_state, (case, entry.action)
                    case_state = entry.to_state
            else:
                before = item_states.get(entry.item_id, ItemState.PLANNED)
                assert entry.from_state == before, (case, entry.action)
                item_states[entry.item_id] = entry.to_state
        assert case_state == case.state, case
        for item in case.items.all():
            assert item_states.get(item.pk, ItemState.PLANNED) == item.state, item
            items.pop(item.pk)
    assert not items


def _assert_workbenches_are_not_empty():
    chief = User.objects.get(username="chief")
    specialist = User.objects.get(username="specialist")
    department = User.objects.get(username="department")
    company = User.objects.get(username="company")
    assert selectors.intake_queue(chief).count() >= 3
    assert selectors.cases_of_specialist(specialist).count() >= 3
    assert selectors.items_for_department(department).count() >= 3

    company_cases = Case.objects.filter(project__company__contacts__user=company)
    states = set(company_cases.values_list("state", flat=True))
    assert CaseState.IN_PROGRESS in states and len(states) >= 3
    assert CaseItem.objects.filter(
        case__in=company_cases.filter(state=CaseState.IN_PROGRESS),
        department__representatives__user=department, state=ItemState.PUSHED,
    ).exists()


def _assert_supervision_notices_at_every_stage(client):
    from bangban.supervision.models import SupervisionNotice
    from bangban.supervision.workflow import NoticeLevel, NoticeState

    notices = SupervisionNotice.objects.all()
    for level in NoticeLevel:
        assert notices.filter(level=level).exists(), level
    assert notices.filter(state=NoticeState.ANSWERED).exists()
    assert notices.filter(state=NoticeState.CLOSED).exists()
    assert notices.filter(level=NoticeLevel.REFERRED).exclude(referred_to="").exists()
    for notice in notices:
        assert notice.item_due_date < timezone.localtime(notice.issued_at).date()
    department = User.objects.get(username="department")
    assert notices.filter(department__representatives__user=department,
                          state=NoticeState.OPEN).exists()
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get("/supervision/").content.decode()
    assert all(notice.number in page for notice in notices)
    client.logout()


def _assert_clocks():
    """Running clocks with every warning light; a paused supplement, an extension and a
    special procedure; every running item has its due date."""
    from bangban.cases.models import ClockPause, PauseCause
    from bangban.deadlines.models import WarningLevel

    running = CaseItem.objects.filter(state__in=[ItemState.ACCEPTED,
                                                 ItemState.SUPPLEMENT_REQUESTED])
    assert not running.filter(due_date__isnull=True).exists()
    assert set(running.values_list("warning_level", flat=True)) == set(WarningLevel.values)
    open_pauses = ClockPause.objects.filter(ended_at__isnull=True)
    assert open_pauses.filter(cause=PauseCause.SUPPLEMENT).exists()
    assert open_pauses.filter(cause=PauseCause.SPECIAL_PROCEDURE).exists()
    assert CaseItem.objects.filter(extended_days__gt=0).exists()
    assert Notification.objects.filter(event="warning_digest").exists()


def test_demo_data_builds_the_demo_agency_once(client):
    output = _run()

    _assert_accounts(client, output)
    _assert_agencies_and_departments()
    _assert_companies_and_projects()
    _assert_cases()
    _assert_ledger_tells_every_state_change()
    _assert_workbenches_are_not_empty()
    _assert_supervision_notices_at_every_stage(client)
    _assert_clocks()
    # The demo's history has made-up phone numbers: nothing may be texted or mailed to them.
    assert Notification.objects.exists()
    assert not OutboxMessage.objects.exists()

    before = _counts()
    again = _run()
    assert "already present" in again
    assert PASSWORD in again and "specialist" in again
    assert _counts() == before


pytestmark = pytest.mark.django_db
