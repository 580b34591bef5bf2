"""The workbench tables' rows: what each cell shows, read in one query without model rows."""

import datetime

import pytest
from django.utils import translation

from bangban.cases import selectors
from bangban.cases.models import CaseItem, ClockPause
from bangban.cases.workflow import CaseState, ItemState
from bangban.portal.selectors import item_rows, specialist_case_rows
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.selectors import notice_rows
from bangban.supervision.workflow import NoticeLevel, NoticeState
from tests.factories import CaseFactory, CaseItemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _item_rows(**filters):
    return item_rows(selectors.with_clock_flags(CaseItem.objects.filter(**filters)))


def test_item_rows_hold_the_cells_of_the_table():
    item = CaseItemFactory(state=ItemState.ACCEPTED, planned_end=datetime.date(2026, 3, 9),
                           due_date=datetime.date(2026, 3, 20), warning_level="yellow")
    ClockPause.objects.create(item=item, cause="supplement", attributed_to="company",
                              started_at=item.created_at)
    case = item.case
    assert _item_rows(pk=item.pk) == [{
        "pk": item.pk, "url": f"/cases/{case.pk}/#item-{item.pk}", "matter": item.matter.name,
        "case_number": case.number, "project": case.project.name,
        "company": case.project.company.name, "department": item.department.name,
        "state": "accepted", "state_label": str(ItemState.ACCEPTED.label),
        "planned_end": "2026-03-09", "due_date": "2026-03-20", "warning_level": "yellow",
        "clock_paused": True,
    }]


def test_item_rows_without_dates_or_a_running_clock():
    item = CaseItemFactory(state=ItemState.PUSHED)
    [row] = _item_rows(pk=item.pk)
    assert (row["planned_end"], row["due_date"], row["warning_level"], row["clock_paused"]) == (
        "—", "", "", False)


def test_specialist_case_rows_count_open_items_and_show_the_worst_light():
    specialist = UserFactory()
    case = CaseFactory(in_progress=True, specialist=specialist, target_completion_date=None)
    CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level="yellow")
    CaseItemFactory(case=case, state=ItemState.ACCEPTED, warning_level="red")
    CaseItemFactory(case=case, state=ItemState.APPROVED)
    assert specialist_case_rows(selectors.cases_of_specialist(specialist)) == [{
        "pk": case.pk, "url": f"/cases/{case.pk}/", "number": case.number,
        "project": case.project.name, "company": case.project.company.name,
        "state": "in_progress", "state_label": str(CaseState.IN_PROGRESS.label),
        "worst_warning": "red", "open_items": 2, "target_completion_date": "—",
    }]


def _notice(item, number, **fields):
    return SupervisionNotice.objects.create(
        number=number, agency=item.case.agency, case=item.case, item=item,
        department=item.department, item_due_date=datetime.date(2025, 2, 28),
        issued_at=datetime.datetime(2025, 2, 28, 9, 0, tzinfo=datetime.UTC),
        issued_by=UserFactory(), response_due=datetime.date(2025, 3, 7), **fields)


def test_notice_rows_hold_the_cells_of_the_table():
    item = CaseItemFactory(state=ItemState.ACCEPTED)
    notice = _notice(item, "DB2025000001", level=NoticeLevel.ESCALATED, state=NoticeState.OPEN)
    _notice(CaseItemFactory(state=ItemState.ACCEPTED), "DB2025000002", level=NoticeLevel.NOTICE,
            state=NoticeState.ANSWERED)
    case = item.case
    rows = notice_rows(SupervisionNotice.objects.order_by("number"))
    assert rows[0] == {
        "pk": notice.pk, "number": "DB2025000001", "url": f"/supervision/{notice.pk}/",
        "matter": item.matter.name, "item_url": f"/cases/{case.pk}/#item-{item.pk}",
        "case_number": case.number, "project": case.project.name,
        "company": case.project.company.name, "department": item.department.name,
        "level": "escalated", "level_label": str(NoticeLevel.ESCALATED.label),
        "state_label": str(NoticeState.OPEN.label), "reply_due": "2025-03-07",
    }
    # Only an open notice waits for a reply.
    assert (rows[1]["state_label"], rows[1]["reply_due"]) == (
        str(NoticeState.ANSWERED.label), "—")
