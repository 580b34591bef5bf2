"""The tallies the database keeps for the dashboard against the live counts of the items.

Whatever writes the items — the services, the warning scan's set-based UPDATE, bulk creates,
queryset updates and deletes, a change of a matter's legal limit — the figures read from the
tallies equal those counted from the items, and a recount from scratch finds nothing to
repair."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from bangban.accounts.models import DepartmentKind, Role
from bangban.cases import services
from bangban.cases.models import CaseItem, ServiceMode, ServiceScope
from bangban.cases.workflow import ItemState
from bangban.catalog.models import DefaultItem, Matter
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.dashboards import selectors, tallies
from bangban.dashboards.forms import period_days
from bangban.dashboards.models import CaseItemTally, DecisionTally
from bangban.deadlines import jobs
from bangban.deadlines.clock import CALENDAR_DAY, WORKING_DAY
from bangban.deadlines.models import WarningLevel
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    ProjectFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db
KINDS = (DepartmentKind.DEVELOPMENT_REFORM, DepartmentKind.HOUSING_CONSTRUCTION)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _filter_sets(world):
    today = timezone.localdate()
    year, month = period_days("year", today), period_days("month", today)
    odd = (today - datetime.timedelta(days=40), today + datetime.timedelta(days=3))
    return [
        selectors.Filters(),
        selectors.Filters(start=year[0], end=year[1]),
        selectors.Filters(start=month[0], end=month[1]),
        selectors.Filters(start=odd[0], end=odd[1]),  # not whole months: decisions live
        selectors.Filters(agency=world["city"], below=False),
        selectors.Filters(agency=world["district"]),
        selectors.Filters(specialist=world["specialists"][0]),
    ]


def _assert_tallies_agree(world):
    for user in (world["supervisor"], *world["specialists"]):
        for filters in _filter_sets(world):
            tallied = selectors.dashboard_figures(user, filters)
            live = selectors.dashboard_figures(user, filters, tallies=False)
            assert tallied == live, (user, filters)
    assert tallies.recount_tallies() == []


@pytest.fixture
def world():
    city = AgencyFactory()
    district = AgencyFactory(parent=city)
    supervisor = MembershipFactory(agency=city, role=Role.SUPERVISOR).user
    world = {"city": city, "district": district, "supervisor": supervisor,
             "specialists": [], "agencies": {}}
    matters = [
        MatterFactory(department_kind=KINDS[0], legal_limit=20, promised_limit=5),
        MatterFactory(department_kind=KINDS[1], legal_limit=None, promised_limit=3),
        MatterFactory(department_kind=KINDS[1], legal_limit=15, legal_limit_unit=CALENDAR_DAY,
                      promised_limit=10),
        MatterFactory(department_kind=KINDS[0], legal_limit=30, promised_limit=1),
    ]
    world["matters"] = matters
    for agency in (city, district):
        chief = MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user
        specialists = [MembershipFactory(agency=agency, role=Role.SPECIALIST).user
                       for _ in range(2)]
        representatives = {}
        for kind in KINDS:
            department = DepartmentFactory(agency=agency, kind=kind)
            representatives[kind] = MembershipFactory(
                agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE, department=department).user
        world["specialists"] += specialists
        world["agencies"][agency.pk] = {"chief": chief, "specialists": specialists,
                                        "representatives": representatives}
    return world


def _case(world, rng, agency):
    people = world["agencies"][agency.pk]
    project = ProjectFactory(agency=agency)
    contact = CompanyContactFactory(company=project.company)
    for position, matter in enumerate(rng.sample(world["matters"], 3)):
        DefaultItem.objects.get_or_create(category=project.category, matter=matter,
                                          defaults={"position": position})
    case = services.create_application(
        by=contact.user, project=project, company_contact=contact, mode=ServiceMode.ASSIST,
        scope=ServiceScope.FULL, project_summary="新建厂房")
    case = services.submit_application(case=case, by=contact.user)
    if rng.random() < 0.2:
        return  # submitted, not yet accepted: items come with the plan
    specialist = rng.choice(people["specialists"])
    case = services.accept_application(case=case, by=people["chief"], specialist=specialist)
    case.refresh_from_db()
    services.generate_plan(case=case, by=case.specialist)
    items = list(case.items.order_by("pk"))
    if rng.random() < 0.4:
        services.remove_item(item=items.pop(), by=case.specialist)
    services.publish_plan(case=case, by=case.specialist)
    for item in items:
        _advance(rng, item, people, contact.user)


def _advance(rng, item, people, company_user):
    specialist = item.case.specialist
    representative = people["representatives"][item.matter.department_kind]
    steps = rng.randint(0, 6)
    services.start_preparing(item=item, by=specialist)
    if steps < 1:
        return
    services.upload_item_material(item=item, by=company_user, file=pdf_upload())
    services.pass_review(item=item, by=specialist)
    services.push_item(item=item, by=specialist)
    if steps < 3:
        return
    services.accept_item(item=item, by=representative)
    if steps == 4:
        services.request_supplement(item=item, by=representative, reason="补充材料")
    elif steps == 5:
        services.approve_item(item=item, by=representative, result_number=f"第{item.pk}号",
                              result_file=pdf_upload("licence.pdf"))
    elif steps == 6:
        rng.choice([
            lambda: services.refuse_item(item=item, by=representative, reason="不符合"),
            lambda: services.withdraw_item(item=item, by=specialist, reason="撤回"),
        ])()


def _decide_running(rng, world):
    """Decides some running items through the services, whatever day the scan has reached."""
    running = list(CaseItem.objects.filter(state=ItemState.ACCEPTED).select_related(
        "case__agency", "matter").order_by("pk"))
    for item in rng.sample(running, len(running) // 3):
        people = world["agencies"][item.case.agency_id]
        services.approve_item(item=item, by=people["representatives"][item.matter.department_kind],
                              result_number=f"第{item.pk}号", result_file=pdf_upload())


@pytest.mark.parametrize("seed", range(3))
def test_the_tallies_follow_the_services_and_the_warning_scan(world, seed):
    rng = random.Random(seed)
    for _ in range(8):
        _case(world, rng, rng.choice([world["city"], world["district"]]))
    assert CaseItem.objects.filter(state=ItemState.ACCEPTED).exists()
    _assert_tallies_agree(world)

    today = timezone.localdate()
    lights = set()
    for days in range(1, 40, 3):
        jobs.scan_warning_levels(today=today + datetime.timedelta(days=days))
        lights |= set(CaseItem.objects.values_list("warning_level", flat=True))
    assert {WarningLevel.YELLOW, WarningLevel.RED} <= lights
    _assert_tallies_agree(world)

    _decide_running(rng, world)
    case = rng.choice(list(CaseItem.objects.values_list("case", flat=True)))
    case = CaseItem.objects.filter(case=case).first().case
    people = world["agencies"][case.agency_id]
    other = next(s for s in people["specialists"] if s != case.specialist)
    services.reassign_specialist(case=case, by=people["chief"], specialist=other, reason="调岗")
    _assert_tallies_agree(world)
    assert DecisionTally.objects.exists() and CaseItemTally.objects.exists()


def test_a_refused_action_leaves_the_tallies_as_they_were(world):
    rng = random.Random(11)
    _case(world, rng, world["city"])
    item = CaseItem.objects.exclude(state=ItemState.PLANNED).first()
    with pytest.raises((InvalidTransition, NotAllowed, ValidationError)):
        services.remove_item(item=item, by=item.case.specialist)
    _assert_tallies_agree(world)


def _random_items(rng, world, count):
    cases = [CaseFactory(agency=rng.choice([world["city"], world["district"]]), in_progress=True,
                         specialist=rng.choice(world["specialists"]),
                         submitted_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 500)))
             for _ in range(count // 4)]
    departments = {kind: DepartmentFactory(agency=world["city"], kind=kind) for kind in KINDS}
    items = []
    for case in cases:
        for matter in rng.sample(world["matters"], 4):
            items.append(CaseItem(case=case, matter=matter, **_random_columns(rng),
                                  department=departments[matter.department_kind]))
    CaseItem.objects.bulk_create(items)


def _random_columns(rng):
    state = rng.choice(list(ItemState))
    decided = state in selectors.DECIDED_ITEM_STATES or rng.random() < 0.1
    # Hours around local midnight and month ends, where the time zone decides the day.
    moment = timezone.now() - datetime.timedelta(days=rng.randint(0, 400),
                                                 hours=rng.randint(0, 23))
    return {
        "state": state,
        "warning_level": rng.choice(["", *WarningLevel]),
        "decided_at": moment if decided else None,
        "due_date": (moment + datetime.timedelta(days=rng.randint(-3, 3))).date()
        if rng.random() < 0.8 else None,
        "days_used": rng.choice([None, 1, 7, 22]),
        "promised_limit": rng.choice([1, 5, 20]),
        "limit_unit": rng.choice([WORKING_DAY, WORKING_DAY, CALENDAR_DAY]),
    }


@pytest.mark.parametrize("seed", range(4))
def test_the_tallies_follow_bulk_writes_and_the_catalog(world, seed):
    rng = random.Random(seed)
    _random_items(rng, world, 40)
    _assert_tallies_agree(world)
    for _ in range(12):
        pks = list(CaseItem.objects.values_list("pk", flat=True))
        chosen = CaseItem.objects.filter(pk__in=rng.sample(pks, rng.randint(1, len(pks) // 3)))
        operation = rng.randrange(5)
        if operation == 0:
            chosen.update(**{key: value for key, value in _random_columns(rng).items()
                             if rng.random() < 0.5})
        elif operation == 1:
            for item in chosen:
                for key, value in _random_columns(rng).items():
                    setattr(item, key, value)
                item.save()
        elif operation == 2:
            chosen.delete()
        elif operation == 3:
            matter = rng.choice(world["matters"])
            matter.legal_limit = rng.choice([None, 10, 25])
            matter.legal_limit_unit = rng.choice([WORKING_DAY, CALENDAR_DAY])
            matter.save()
        else:
            Matter.objects.filter(pk__in=[m.pk for m in world["matters"]]).update(
                legal_limit=rng.choice([None, 12, 40]))
        _assert_tallies_agree(world)


def test_a_representatives_view_and_the_department_filter_count_live(world):
    """Department conditions are on items, which the per-case tallies cannot answer: these
    figures come from the items even when the tallies are wrong."""
    rng = random.Random(3)
    _random_items(rng, world, 20)
    CaseItemTally.objects.update(items=999)
    DecisionTally.objects.update(decided=999)
    representative = world["agencies"][world["city"].pk]["representatives"][KINDS[0]]
    department = representative.memberships.get().department
    for user, filters in ((representative, selectors.Filters()),
                          (world["supervisor"], selectors.Filters(department=department))):
        assert (selectors.dashboard_figures(user, filters)
                == selectors.dashboard_figures(user, filters, tallies=False))
    assert selectors.dashboard_figures(world["supervisor"], selectors.Filters())[
        "items"]["all"] >= 999


def test_the_recount_finds_and_repairs_a_wrong_tally(world):
    rng = random.Random(5)
    _random_items(rng, world, 20)
    assert tallies.recount_tallies() == []
    wrong = CaseItemTally.objects.order_by("pk").first()
    CaseItemTally.objects.filter(pk=wrong.pk).update(state_planned=wrong.state_planned + 1)
    DecisionTally.objects.all().delete()
    found = tallies.recount_tallies()
    assert ("dashboards_caseitemtally", (wrong.pk,)) in found
    assert any(table == "dashboards_decisiontally" for table, _key in found)
    assert tallies.recount_tallies() == found  # counting alone repairs nothing
    call_command("recount_dashboard_tallies", "--repair", stdout=open("/dev/null", "w"))
    assert tallies.recount_tallies() == []
    _random_items(rng, world, 8)  # the triggers installed again still count
    assert tallies.recount_tallies() == []


def test_every_item_state_and_light_has_a_column():
    states, levels = tallies.tally_columns()
    assert set(states) == set(ItemState) and set(levels) == set(WarningLevel)


def test_a_deleted_case_leaves_no_count(world):
    rng = random.Random(8)
    _random_items(rng, world, 8)
    case = CaseItem.objects.first().case
    assert CaseItemTally.objects.get(case_id=case.pk).items == 4
    case.delete()  # its items go by cascade
    assert not any(CaseItemTally.objects.filter(case_id=case.pk).values_list("items", flat=True))
    assert not any(DecisionTally.objects.filter(case_id=case.pk)
                   .values_list("decided", flat=True))
    assert tallies.recount_tallies() == []
