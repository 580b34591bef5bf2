"""The set-based warning scan against the clocks read from their rows.

The scan trusts the stored contract of item_clock.py (due date, next check) instead of reading
each clock; these tests run it day after day over random items — working and calendar days,
short and long limits, closed and open pauses, agencies with their own warning windows — and
compare every stored column with what the clock computed from the rows says that day.
"""

import datetime
import random

import pytest
from django.utils import timezone

from bangban.accounts.models import Role
from bangban.cases.models import CaseItem, ClockPause, LedgerEntry, PauseCause
from bangban.cases.workflow import ItemState
from bangban.deadlines import jobs
from bangban.deadlines.clock import CALENDAR_DAY, WORKING_DAY
from bangban.deadlines.item_clock import clock_columns
from bangban.deadlines.models import WarningLevel, WarningPolicy
from bangban.notifications.models import Notification
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CaseItemFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 9, 1)  # the clocks run across 国庆节 and 中秋节


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _items(rng, count):
    agencies = [AgencyFactory(), AgencyFactory()]
    WarningPolicy.objects.create(agency=agencies[1], days_left=rng.randint(1, 5),
                                 percent_used=rng.randint(50, 100))
    items = []
    for agency in agencies:
        department = DepartmentFactory(agency=agency)
        MembershipFactory(agency=agency, department=department,
                          role=Role.DEPARTMENT_REPRESENTATIVE)
        for _case in range(count // 4):
            case = CaseFactory(agency=agency, in_progress=True)
            for _item in range(2):
                unit = rng.choice([WORKING_DAY] * 4 + [CALENDAR_DAY])
                accepted = START + datetime.timedelta(days=rng.randint(0, 30))
                item = CaseItemFactory(
                    case=case, department=department, matter=MatterFactory(),
                    state=ItemState.ACCEPTED, accepted_at=_at(accepted),
                    promised_limit=rng.choice([1, 3, 5, 10, 15, 20, 30]), limit_unit=unit,
                    extended_days=rng.choice([0, 0, 0, 5]),
                )
                _pauses(rng, item, accepted)
                items.append(item)
    return items


def _pauses(rng, item, accepted):
    for _pause in range(rng.choice([0, 0, 1, 2])):
        start = accepted + datetime.timedelta(days=rng.randint(0, 20))
        end = start + datetime.timedelta(days=rng.randint(1, 12))
        ClockPause.objects.create(item=item, cause=rng.choice(list(PauseCause)),
                                  started_at=_at(start), ended_at=_at(end))


def _stored(item):
    return (item.warning_level, item.warning_next_check, item.due_date)


def _read(item, day):
    _reading, columns = clock_columns(item, today=day)
    return (columns["warning_level"], columns["warning_next_check"], columns["due_date"])


@pytest.mark.parametrize("seed", range(4))
def test_the_scan_day_after_day_agrees_with_the_clocks_read_from_their_rows(seed):
    rng = random.Random(seed)
    items = _items(rng, 24)
    first = START + datetime.timedelta(days=31)
    for item in jobs.running_items():  # every clock stored as read on the first day
        CaseItem.objects.filter(pk=item.pk).update(**clock_columns(item, today=first)[1])
    changes, seen = 0, set()
    for offset in range(1, 45):
        day = first + datetime.timedelta(days=offset)
        before = {item.pk: item.warning_level for item in CaseItem.objects.all()}
        changes += jobs.scan_warning_levels(today=day)
        seen |= {(before[item.pk], item.warning_level) for item in CaseItem.objects.all()}
        for item in jobs.running_items():
            # The pauses are closed, so each stored column is the clock's reading of the day.
            assert _stored(item) == _read(item, day), (seed, day, item.pk)
    assert changes > 0
    assert seen >= {(WarningLevel.GREEN, WarningLevel.YELLOW),
                    (WarningLevel.YELLOW, WarningLevel.RED)}
    assert len(items) == 24


def test_an_open_pause_holds_the_light():
    rng = random.Random(7)
    item = _items(rng, 4)[0]
    ClockPause.objects.filter(item=item).delete()
    ClockPause.objects.create(item=item, cause=PauseCause.SUPPLEMENT,
                              started_at=_at(START + datetime.timedelta(days=31)))
    day = START + datetime.timedelta(days=32)
    item = jobs.running_items().get(pk=item.pk)
    CaseItem.objects.filter(pk=item.pk).update(**clock_columns(item, today=day)[1])
    item.refresh_from_db()
    assert item.warning_next_check is None
    level = item.warning_level
    assert jobs.scan_warning_levels(today=day + datetime.timedelta(days=90)) == 0
    item.refresh_from_db()
    assert item.warning_level == level


def test_each_person_gets_one_message_for_a_scan():
    rng = random.Random(3)
    items = _items(rng, 8)
    first = START + datetime.timedelta(days=31)
    for item in jobs.running_items():
        CaseItem.objects.filter(pk=item.pk).update(**clock_columns(item, today=first)[1])
    before = {item.pk: item.warning_level for item in CaseItem.objects.all()}
    changed = jobs.scan_warning_levels(today=first + datetime.timedelta(days=60))
    after = {item.pk: item.warning_level for item in CaseItem.objects.all()}
    assert changed >= len(items) // 2
    digests = list(Notification.objects.filter(event="warning_digest"))
    recipients = [n.recipient_id for n in digests]
    assert len(recipients) == len(set(recipients))
    specialists = {item.case.specialist_id for item in items}
    assert specialists <= set(recipients)
    for digest in digests:
        if digest.recipient_id in specialists:
            mine = [i for i in items if i.case.specialist_id == digest.recipient_id
                    and before[i.pk] != after[i.pk]]
            assert mine and all(f"[{i.case.number}] {i.matter.name}" in digest.body for i in mine)


def test_a_light_is_a_reading_not_a_ledger_entry():
    rng = random.Random(5)
    _items(rng, 4)
    first = START + datetime.timedelta(days=31)
    for item in jobs.running_items():
        CaseItem.objects.filter(pk=item.pk).update(**clock_columns(item, today=first)[1])
    assert jobs.scan_warning_levels(today=first + datetime.timedelta(days=60)) > 0
    assert not LedgerEntry.objects.exists()
    assert Notification.objects.filter(event="warning_digest").exists()
