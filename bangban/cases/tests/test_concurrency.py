"""Two people acting on the same item at the same moment: exactly one action happens."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import translation

from bangban.accounts.models import Role
from bangban.cases import services
from bangban.cases.models import CaseItem, LedgerEntry
from bangban.cases.workflow import ItemState
from bangban.core.errors import InvalidTransition
from tests.factories import CaseItemFactory, MembershipFactory, pdf_upload

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks across connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _race(*, lock_holder_item, callers):
    """Starts every caller while the main connection holds the row, then lets them go at once."""
    outcomes, ready = [], threading.Barrier(len(callers) + 1)

    def run(call):
        # A new thread starts in the default language (Chinese); the messages are read in English.
        translation.activate("en")
        try:
            ready.wait()
            call()
            outcomes.append("done")
        except InvalidTransition as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in callers]
    with transaction.atomic():
        CaseItem.objects.select_for_update().get(pk=lock_holder_item.pk)
        for thread in threads:
            thread.start()
        ready.wait()
        # Both callers are now blocked on the row this transaction holds.
        threading.Event().wait(0.5)
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_representatives_accepting_the_same_item_accept_it_once():
    item = CaseItemFactory(state=ItemState.PUSHED)
    first, second = (
        MembershipFactory(agency=item.case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                          department=item.department).user
        for _ in range(2)
    )
    outcomes = _race(lock_holder_item=item, callers=[
        lambda: services.accept_item(item=item, by=first),
        lambda: services.accept_item(item=item, by=second),
    ])
    assert outcomes.count("done") == 1
    assert any("Already done" in o for o in outcomes)
    item.refresh_from_db()
    assert item.state == ItemState.ACCEPTED
    assert LedgerEntry.objects.filter(item=item, action="accept").count() == 1


def test_approve_and_refuse_at_once_leave_exactly_one_decision():
    item = CaseItemFactory(state=ItemState.ACCEPTED)
    representative = MembershipFactory(agency=item.case.agency,
                                       role=Role.DEPARTMENT_REPRESENTATIVE,
                                       department=item.department).user
    outcomes = _race(lock_holder_item=item, callers=[
        lambda: services.approve_item(item=item, by=representative, result_number="第1号",
                                      result_file=pdf_upload()),
        lambda: services.refuse_item(item=item, by=representative, reason="不符合规划"),
    ])
    assert outcomes.count("done") == 1
    item.refresh_from_db()
    assert item.state in {ItemState.APPROVED, ItemState.REFUSED}
    assert LedgerEntry.objects.filter(item=item, action__in=["approve", "refuse"]).count() == 1
