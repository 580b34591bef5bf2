"""Calendar writers in several processes at once (PostgreSQL: row locks across connections)."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bangban.deadlines.models import CalendarDay, CalendarRevision, PublishedYear
from bangban.deadlines.selectors import current_calendar
from bangban.deadlines.services import bump_revision, seed_from_package

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks across connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_two_seeds_at_once_write_the_package_years_once():
    bump_revision()  # the revision row exists, as after the first start
    outcomes, ready = [], threading.Barrier(3)

    def seed():
        try:
            ready.wait()
            outcomes.append(seed_from_package().years)
        finally:
            connection.close()

    threads = [threading.Thread(target=seed) for _ in range(2)]
    with transaction.atomic():
        CalendarRevision.objects.select_for_update().get(pk=1)
        for thread in threads:
            thread.start()
        ready.wait()
        threading.Event().wait(0.5)  # both seeds now wait for the calendar's lock
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=len) == [[], list(range(2004, 2027))]
    assert PublishedYear.objects.count() == 23
    assert CalendarDay.objects.count() == 771
    assert current_calendar().known_years == (2004, 2026)


def _due_items(count):
    """`count` running items whose stored next check (yesterday) has come and whose due date
    has passed: the next scan turns each red."""
    from bangban.accounts.system import system_user
    from bangban.cases.models import CaseItem
    from bangban.cases.workflow import ItemState
    from bangban.deadlines.models import WarningLevel
    from tests.factories import CaseFactory, CaseItemFactory

    system_user()  # created up front, as a running worker would have it
    case = CaseFactory(in_progress=True)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for _ in range(count):
        CaseItemFactory(case=case, state=ItemState.ACCEPTED, accepted_at=timezone.now(),
                        warning_level=WarningLevel.YELLOW, warning_next_check=yesterday,
                        due_date=yesterday - datetime.timedelta(days=1))
    return list(CaseItem.objects.filter(case=case).order_by("pk"))


def test_two_scans_at_once_change_and_announce_each_light_once():
    from bangban.deadlines.jobs import scan_warning_levels
    from bangban.notifications.models import Notification

    items = _due_items(60)
    outcomes, ready = [], threading.Barrier(2)

    def scan():
        try:
            ready.wait()
            outcomes.append(scan_warning_levels())
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [0, len(items)]  # the second waited, then found nothing due
    digest = Notification.objects.get(event="warning_digest")
    assert digest.body.count("\n") + 1 == min(len(items), 31)


def test_a_service_holding_an_item_wins_over_the_scan():
    from bangban.cases.models import CaseItem
    from bangban.deadlines.jobs import scan_warning_levels

    held, *others = _due_items(3)
    outcome = []

    def scan():
        try:
            outcome.append(scan_warning_levels())
        finally:
            connection.close()

    thread = threading.Thread(target=scan)
    with transaction.atomic():
        CaseItem.objects.select_for_update().get(pk=held.pk)
        thread.start()
        threading.Event().wait(0.5)  # the scan now waits for the held row
        # Meanwhile the service extends the item: its light is green again, its check later.
        CaseItem.objects.filter(pk=held.pk).update(
            warning_level="green", due_date=timezone.localdate() + datetime.timedelta(days=9),
            warning_next_check=timezone.localdate() + datetime.timedelta(days=5))
    thread.join(timeout=30)
    assert outcome == [len(others)]
    assert CaseItem.objects.get(pk=held.pk).warning_level == "green"
    assert scan_warning_levels() == 0
