"""The rows of the table of cases (cases/partials/_case_table.html): every cell, one query."""

import pytest
from django.urls import reverse
from django.utils import translation

from bangban.cases import selectors
from bangban.cases.models import Case, ServiceMode
from bangban.cases.workflow import CaseState
from bangban.deadlines.models import WarningLevel
from tests.factories import CaseFactory, CaseItemFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _rows(*cases):
    return selectors.case_rows(selectors.with_worst_warning(
        Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk")))


def test_a_row_holds_every_cell_of_the_table(django_assert_num_queries):
    case = CaseFactory(in_progress=True, specialist=UserFactory(full_name="王专员"),
                       project=ProjectFactory(is_key_project=True), mode=ServiceMode.AGENT)
    CaseItemFactory(case=case, warning_level=WarningLevel.YELLOW)
    CaseItemFactory(case=case, warning_level=WarningLevel.RED)
    with translation.override("en"), django_assert_num_queries(1):
        [row] = _rows(case)
    assert row == {
        "pk": case.pk, "url": reverse("cases:detail", args=[case.pk]), "number": case.number,
        "project": case.project.name, "is_key_project": True,
        "company": case.project.company.name, "state": CaseState.IN_PROGRESS,
        "state_label": "In progress", "worst_warning": WarningLevel.RED,
        "mode_label": "Agent (代办)", "specialist": "王专员",
        "agency": case.agency.name,
    }


def test_the_user_name_stands_for_a_specialist_without_a_full_name_and_none_for_no_one():
    named = CaseFactory(in_progress=True, specialist=UserFactory(full_name=""))
    unassigned = CaseFactory(state=CaseState.SUBMITTED, specialist=None)
    rows = _rows(named, unassigned)
    assert [row["specialist"] for row in rows] == [named.specialist.username, ""]
    assert rows[1]["worst_warning"] is None


def test_labels_follow_the_language():
    case = CaseFactory(in_progress=True)
    with translation.override("zh-hans"):
        [row] = _rows(case)
    assert row["state_label"] == str(CaseState.IN_PROGRESS.label) != "In progress"
