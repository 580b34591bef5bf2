"""Two workers scanning at the same moment: exactly one notice, one escalation."""

import threading

import pytest
from django.db import connection, transaction

from bangban.cases.models import Case, LedgerEntry
from bangban.supervision.jobs import scan_supervision
from bangban.supervision.models import SupervisionNotice
from bangban.supervision.tests.conftest import TODAY, make_world
from bangban.supervision.workflow import NoticeLevel

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks across connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _race(*, hold, scans):
    """Starts the scans while the main connection holds `hold` (a case row, the first lock a
    scan takes), then lets them go at once. Returns what each scan handled."""
    handled, ready = [], threading.Barrier(len(scans) + 1)

    def run(scan):
        try:
            ready.wait()
            handled.append(scan())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(scan,)) for scan in scans]
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=hold.pk)
        for thread in threads:
            thread.start()
        ready.wait()
        threading.Event().wait(0.5)  # both scans are now blocked on the case row
    for thread in threads:
        thread.join(timeout=30)
    return handled


def test_two_concurrent_scans_issue_exactly_one_notice():
    world = make_world()
    from bangban.accounts.system import system_user

    system_user()  # created up front, as a running worker would have it
    handled = _race(hold=world.case, scans=[lambda: scan_supervision(TODAY)] * 2)
    assert sorted(handled) == [0, 1]
    assert SupervisionNotice.objects.filter(item=world.item).count() == 1
    assert LedgerEntry.objects.filter(action="supervision_issue").count() == 1


def test_two_concurrent_scans_escalate_once():
    world = make_world()
    scan_supervision(TODAY)
    notice = SupervisionNotice.objects.get()
    later = notice.next_escalation_on
    outcomes, ready = [], threading.Barrier(3)

    def run():
        try:
            ready.wait()
            outcomes.append(scan_supervision(later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with transaction.atomic():
        SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
        for thread in threads:
            thread.start()
        ready.wait()
        threading.Event().wait(0.5)
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [0, 1]
    notice.refresh_from_db()
    assert notice.level == NoticeLevel.ESCALATED
    assert LedgerEntry.objects.filter(action="supervision_escalate").count() == 1
    assert world.item.supervision_notices.count() == 1
