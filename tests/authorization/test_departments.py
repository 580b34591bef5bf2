"""Inside one case: a department sees the items pushed to it, not those of the others (the
matrix's peer department has no item in the case at all)."""

import pytest
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.accounts.permissions import ITEM_STATES_VISIBLE_TO_DEPARTMENT
from bangban.cases.models import CaseItem
from bangban.documents.models import Document
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _two_departments_on_one_case():
    """(an item with a document, an item of another department on the same case), both
    pushed: what the demo's running cases have."""
    items = CaseItem.objects.filter(state__in=ITEM_STATES_VISIBLE_TO_DEPARTMENT).order_by("pk")
    for document in Document.objects.filter(item__in=items).select_related("item"):
        mine = items.filter(case_id=document.item.case_id).exclude(
            department_id=document.item.department_id).first()
        if mine is not None:
            return document.item, document, mine
    raise LookupError("The demo data has no case with items pushed to two departments.")


def test_a_department_does_not_reach_another_departments_item_on_a_shared_case(client, world):
    theirs, document, mine = _two_departments_on_one_case()
    representative = MembershipFactory(
        user=UserFactory(username="neighbour-department"), agency=mine.department.agency,
        role=Role.DEPARTMENT_REPRESENTATIVE, department=mine.department).user
    client.force_login(representative)

    page = client.get(reverse("cases:detail", args=[mine.case_id]))
    assert page.status_code == 200
    shown = {row["item"].pk for row in page.context["item_rows"]}
    assert mine.pk in shown and theirs.pk not in shown
    assert document.pk not in {d.pk for d in page.context["documents"]}

    refused = [
        ("GET", reverse("cases:item_action", args=[theirs.pk, "refuse"])),
        ("POST", reverse("cases:item_action", args=[theirs.pk, "refuse"])),
        ("GET", reverse("cases:plan_item", args=[theirs.pk])),
        ("POST", reverse("cases:remove_plan_item", args=[theirs.pk])),
        ("GET", reverse("documents:download", args=[document.pk])),
        ("GET", reverse("evaluations:rate_item", args=[theirs.pk])),
    ]
    state = CaseItem.objects.filter(pk=theirs.pk).values_list("state", "updated_at").get()
    answers = {(method, url): (client.get(url) if method == "GET" else client.post(url))
               .status_code for method, url in refused}
    assert {key: code for key, code in answers.items() if code not in (403, 404)} == {}
    assert CaseItem.objects.filter(pk=theirs.pk).values_list("state", "updated_at").get() == state
