"""The quarterly statistics reminder: in the first 5 working days, once per agency."""

import threading

import pytest
from django.db import connection, transaction

from bangban.core.errors import InvalidTransition

from bangban.notifications.models import Notification
from bangban.visits import services
from bangban.visits.jobs import remind_quarterly_statistics
from bangban.visits.models import StatisticsReminder
from bangban.visits.quarters import Quarter
from bangban.visits.tests.conftest import (
    Q3_FIFTH_WORKING_DAY,
    Q3_FIRST_DAY,
    Q3_SATURDAY,
    Q3_SIXTH_WORKING_DAY,
    make_world,
)


@pytest.mark.django_db
def test_each_agencys_chiefs_are_reminded_once_per_quarter():
    world = make_world()
    assert remind_quarterly_statistics(Q3_FIRST_DAY) == 2
    reminders = StatisticsReminder.objects.order_by("agency__path")
    assert [(r.agency, r.year, r.quarter) for r in reminders] == [
        (world.city, 2025, 2), (world.district, 2025, 2)]
    assert reminders[0].due_on == Q3_FIFTH_WORKING_DAY
    notes = Notification.objects.filter(event="interaction_statistics_due")
    assert sorted(n.recipient_id for n in notes) == sorted([world.chief.pk,
                                                            world.district_chief.pk])
    assert "2025 Q2" in notes[0].subject
    assert remind_quarterly_statistics(Q3_FIRST_DAY) == 0
    assert remind_quarterly_statistics(Q3_FIFTH_WORKING_DAY) == 0
    assert notes.count() == 2


@pytest.mark.django_db
def test_no_reminder_on_the_sixth_working_day_or_a_weekend():
    make_world()
    assert remind_quarterly_statistics(Q3_SIXTH_WORKING_DAY) == 0
    assert remind_quarterly_statistics(Q3_SATURDAY) == 0
    assert not StatisticsReminder.objects.exists()
    assert remind_quarterly_statistics(Q3_FIFTH_WORKING_DAY) == 2  # the last day still counts


@pytest.mark.django_db
def test_agencies_without_a_chief_are_not_reminded(django_assert_max_num_queries):
    world = make_world()
    world.district_chief.is_active = False
    world.district_chief.save()
    assert remind_quarterly_statistics(Q3_FIRST_DAY) == 1
    with django_assert_max_num_queries(0):
        remind_quarterly_statistics(Q3_SIXTH_WORKING_DAY.replace(day=28))


def _send_twice(world):
    services.send_statistics_reminder(agency=world.city, quarter=Quarter(2025, 3))
    with pytest.raises(InvalidTransition, match="Already done"):
        services.send_statistics_reminder(agency=world.city, quarter=Quarter(2025, 3))


@pytest.mark.django_db
def test_a_second_reminder_for_the_same_quarter_is_refused():
    world = make_world()
    _send_twice(world)
    assert Notification.objects.filter(event="interaction_statistics_due").count() == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent inserts need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_reminder_once():
    """Both workers select the city as not yet reminded while the main connection holds an
    uncommitted reminder row for it; when that is rolled back they race to insert their own,
    and the unique constraint lets one through."""
    world = make_world()
    results, ready = [], threading.Barrier(3)

    def run():
        try:
            ready.wait()
            results.append(remind_quarterly_statistics(Q3_FIRST_DAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with transaction.atomic():
        StatisticsReminder.objects.create(agency=world.city, year=2025, quarter=2,
                                          due_on=Q3_FIFTH_WORKING_DAY)
        for thread in threads:
            thread.start()
        ready.wait()
        threading.Event().wait(0.5)  # both workers are now blocked on the city's row
        transaction.set_rollback(True)
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2 and sum(results) == 2
    assert StatisticsReminder.objects.count() == 2
    for chief in (world.chief, world.district_chief):
        assert Notification.objects.filter(event="interaction_statistics_due",
                                           recipient=chief).count() == 1
