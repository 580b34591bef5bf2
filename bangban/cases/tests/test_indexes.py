"""Indexes written for one query must keep matching it."""

from bangban.cases.models import CaseItem
from bangban.cases.selectors import ITEM_STATES_OPEN_AT_DEPARTMENT


def test_the_department_workbench_index_covers_exactly_the_states_it_lists():
    index = next(i for i in CaseItem._meta.indexes if i.name == "cases_item_at_department_idx")
    (lookup, states), = index.condition.children
    assert lookup == "state__in"
    assert sorted(states) == sorted(ITEM_STATES_OPEN_AT_DEPARTMENT)
    assert index.fields == ["department", "pushed_at", "id"]
