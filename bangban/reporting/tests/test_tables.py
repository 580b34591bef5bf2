"""Every registered table exports what its page shows, to whoever may read the page.

The demo agency (`manage.py demo_data`) has rows for every table; building it takes a while,
so one test walks through all the tables."""

import io
import re
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from bangban.accounts.models import User
from bangban.dashboards.selectors import set_figures
from bangban.reporting.exports import TABLES

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}

# table key → (page URL name, the page's filters, who looks, how to count the page's rows)
PAGES = {
    "cases": ("cases:list", {"state": "in_progress"}, "chief", "paginator"),
    "supervision": ("supervision:list", {}, "chief", "paginator"),
    "problems": ("problems:list", {}, "chief", "paginator"),
    "consultations": ("consultations:list", {}, "chief", "paginator"),
    "visits": ("visits:list", {}, "chief", "paginator"),
    "visit_statistics": ("visits:statistics", {"year": 2026, "quarter": 1}, "chief", "table"),
    "evaluations": ("evaluations:list", {}, "chief", "paginator"),
    "meetings": ("meetings:list", {"when": "past"}, "chief", "paginator"),
    "key_ledger": ("projects:key_ledger", {}, "chief", rb"<tr data-project="),
    "statistics": ("reporting:statistics", {"kind": "year", "year": 2026}, "chief", "table"),
}


def _export(client, key, params):
    response = client.get(reverse("reporting:export"), {**params, "table": key}, headers=EN)
    assert response.status_code == 200, key
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def test_every_table_exports_the_rows_of_its_page(client, settings):
    settings.EXPORT_INLINE_ROWS = 100_000
    call_command("demo_data", stdout=StringIO())
    dashboards = {key for key in TABLES if key.startswith("dashboard_")}
    assert set(PAGES) == set(TABLES) - dashboards
    for key, (url_name, params, username, counting) in PAGES.items():
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse(url_name), params, headers=EN)
        assert page.status_code == 200, key
        rows = _export(client, key, params)
        assert list(rows[0]) == [str(header) for header in TABLES[key].headers], key
        if counting == "paginator":
            expected = page.context["page"].paginator.count
        elif counting == "table":
            expected = len(page.context["table"]["rows"]) + 1  # and the totals
        else:
            expected = len(re.findall(counting, page.content))
        assert len(rows) - 1 == expected, key
        assert expected, f"the demo has no rows for {key}"
    client.force_login(User.objects.get(username="chief"))
    for key in sorted(dashboards):
        set_name = key.removeprefix("dashboard_")
        for figure in set_figures(set_name):
            url = reverse("dashboards:list", args=[set_name, figure])
            page = client.get(url, headers=EN)
            assert page.status_code == 200, key
            assert f"table={key}&amp;figure={figure}" in page.content.decode()
            rows = _export(client, key, {"figure": figure})
            assert list(rows[0]) == [str(header) for header in TABLES[key].headers], key
            assert len(rows) - 1 == page.context["page"].paginator.count, (key, figure)
    page = client.get(reverse("cases:list"), {"state": "in_progress"}, headers=EN)
    shown = {case["number"] for case in page.context["page"].object_list}
    exported = {row[0] for row in _export(client, "cases", {"state": "in_progress"})[1:]}
    assert shown <= exported
    assert exported == set(page.context["page"].paginator.object_list.values_list(
        "number", flat=True))
