"""Links and dates of tables read as rows of values."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from bangban.cases.workflow import CaseState
from bangban.core.tables import choice_labels, pk_url, table_day


@pytest.mark.parametrize("name", ["cases:detail", "supervision:detail", "cases:plan_item"])
@pytest.mark.parametrize("pk", [1, 10, 9876543210, 123456789012])
def test_pk_url_gives_what_reverse_gives(name, pk):
    assert pk_url(name)(pk) == reverse(name, args=[pk])


def test_table_day_shows_a_date_as_the_date_filter_does():
    assert table_day(datetime.date(2026, 3, 9)) == "2026-03-09"
    assert table_day(None) == "—"
    assert table_day(None, none="") == ""


def test_choice_labels_are_in_the_active_language():
    with translation.override("en"):
        assert choice_labels(CaseState)[CaseState.IN_PROGRESS] == "In progress"
    with translation.override("zh-hans"):
        assert choice_labels(CaseState)[CaseState.IN_PROGRESS] != "In progress"
