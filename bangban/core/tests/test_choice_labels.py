"""get_FOO_display() answers from choices read once per process, still in the active language."""

import pytest
from django.utils import translation

from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import CaseState, ItemState
from bangban.core.models import _choice_labels


def test_the_label_is_in_the_language_of_each_call():
    case = Case(state=CaseState.IN_PROGRESS)
    with translation.override("en"):
        assert case.get_state_display() == "In progress"
    with translation.override("zh-hans"):
        chinese = case.get_state_display()
        assert chinese == str(CaseState.IN_PROGRESS.label) != "In progress"
    with translation.override("en"):
        assert case.get_state_display() == "In progress"


def test_a_value_outside_the_choices_shows_as_it_is():
    assert CaseItem(state="retired").get_state_display() == "retired"
    assert CaseItem(state=ItemState.PUSHED).get_state_display() == str(ItemState.PUSHED.label)


@pytest.mark.parametrize("model", [Case, CaseItem])
def test_the_choices_are_read_once(model):
    field = model._meta.get_field("state")
    _choice_labels.cache_clear()
    for _ in range(3):
        model(state=field.choices[0][0]).get_state_display()
    assert _choice_labels.cache_info().misses == 1
