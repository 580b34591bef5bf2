"""Calendar writers in several processes at once (PostgreSQL: row locks across connections)."""

import threading

import pytest
from django.db import connection, transaction

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
