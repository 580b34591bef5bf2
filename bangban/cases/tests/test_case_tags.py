"""The light every list shows per row and the case page's item rows, built without a
template."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from bangban.accounts.models import Department
from bangban.cases.models import CaseItem, SupplementRequest
from bangban.cases.workflow import ITEM_ACTIONS, ItemState
from bangban.catalog.models import Matter, Stage
from bangban.deadlines.clock import ClockReading
from bangban.supervision.models import SupervisionNotice

LIGHT = engines["django"].from_string("{% load case_tags %}{% warning_light level paused %}")


def light(level, paused=False, language="en"):
    with translation.override(language):
        return LIGHT.render({"level": level, "paused": paused})


@pytest.mark.parametrize("level", ["", None])
def test_no_light_without_a_running_clock(level):
    assert light(level).strip() == ""


def test_a_light_names_its_level_and_whether_the_clock_is_paused():
    assert light("green") == (
        '<span class="warning-light warning-light-green" data-warning="green" title="On time">'
        '<span class="warning-dot" aria-hidden="true">●</span> '
        '<span class="warning-label small">On time</span></span>\n')
    assert light("red", paused=True, language="zh-hans") == (
        '<span class="warning-light warning-light-red is-paused" data-warning="red" '
        'title="已超期 · 暂停计时中"><span class="warning-dot" aria-hidden="true">●</span> '
        '<span class="warning-label small">已超期</span> '
        '<span class="small text-body-secondary">(已暂停)</span></span>\n')


def test_an_unknown_level_is_shown_escaped():
    html = light('x"><script>')
    assert "<script>" not in html
    assert 'data-warning="x&quot;&gt;&lt;script&gt;"' in html


# ------------------------------------------------------------------ the case page's item rows

ROW = engines["django"].from_string("{% load case_tags %}{% item_row row full %}")


def _item(**fields):
    """An unsaved item with what the case page attaches to it (selectors.get_case_page_for)."""
    stage = Stage(name="Construction")
    item = CaseItem(
        pk=7, matter=Matter(name="Permit", stage=stage),
        department=Department(name="Planning", phone="0543-1234567"), state=ItemState.ACCEPTED,
        promised_limit=20, limit_unit="working_day", warning_level="red", **fields)
    item.prerequisite_items = []
    item.open_supplement_requests = []
    return item


def _clock(**fields):
    return ClockReading(**{
        "started_on": datetime.date(2026, 1, 5), "today": datetime.date(2026, 2, 9),
        "unit": "working_day", "limit": 20, "extension": 3, "due_date": datetime.date(2026, 2, 5),
        "used": 25, "left": 0, "overdue": 2, "paused": False, "provisional": False, **fields})


def row(item, clock=None, notice=None, actions=(), full=True):
    with translation.override("en"):
        return ROW.render({"row": {"item": item, "clock": clock, "notice": notice,
                                   "actions": list(actions)}, "full": full})


def test_an_item_row_shows_the_matter_its_notes_and_what_it_runs_after():
    first, second = _item(), _item()
    first.matter.name, second.matter.name = "Land use", "Zoning"
    item = _item(accepted_with_gaps=True, commitment_based=True, materials=["Licence", "Plan"])
    item.prerequisite_items = [first, second]
    html = row(item)
    assert html.startswith('<tr id="item-7">\n<td>\n<div>Permit</div>\n')
    assert ('<div class="small text-body-secondary">Construction · accepted with gaps (容缺受理) · '
            "commitment-based (告知承诺)</div>") in html
    assert '<div class="small text-body-secondary">runs after: Land use、Zoning</div>' in html
    assert ('<details class="small"><summary>required materials (2)</summary>\n'
            '<ul class="mb-0 ps-3"><li>Licence</li><li>Plan</li></ul>\n</details>') in html
    assert '<td class="text-end text-nowrap">20 working days</td>' in html
    assert "runs after" not in row(_item()) and "<details" not in row(_item())


def test_an_item_row_masks_the_departments_phone_unless_the_viewer_needs_it():
    assert "<td>Planning<div class=\"small text-body-secondary\">0543-1234567</div></td>" in row(
        _item())
    assert "0543-1234567" not in row(_item(), full=False)
    item = _item()
    item.department.phone = ""
    assert "<td>Planning</td>" in row(item)


def test_an_item_row_shows_its_state_notice_missing_material_and_reasons():
    item = _item(refusal_reason="Not in the zoning plan", withdrawal_reason="Asked by the company")
    item.open_supplement_requests = [
        SupplementRequest(reason="Seal missing", due_date=datetime.date(2026, 9, 1)),
        SupplementRequest(reason="Signature missing"),
    ]
    notice = SupervisionNotice(pk=3, number="DB-1", level="escalated")
    html = row(item, notice=notice)
    assert '<span class="badge badge-state-accepted">Accepted by department</span>' in html
    assert (f'<a class="badge badge-notice-escalated text-decoration-none" '
            f'href="{reverse("supervision:detail", args=[3])}" data-notice-link="DB-1">'
            "Escalated to agency leadership DB-1</a>") in html
    assert "what is missing: Seal missing · supply by 2026-09-01</div>" in html
    assert "what is missing: Signature missing</div>" in html
    assert '<div class="small text-danger mt-1">Not in the zoning plan</div>' in html
    assert "Asked by the company" not in html  # shown for a withdrawn item only
    item.state = ItemState.WITHDRAWN
    assert '<div class="small text-body-secondary mt-1">Asked by the company</div>' in row(item)


def test_an_item_row_shows_the_clock_its_days_and_how_they_were_counted():
    html = row(_item(), clock=_clock(notes=[SimpleNamespace(text="moved 1 day for New Year")]))
    assert 'data-warning="red"' in html
    assert "due <span data-due-date>2026-02-05</span></div>" in html
    assert ('<div class="text-nowrap" data-days>25 of 23 used · '
            '<span class="text-danger">2 days overdue</span></div>') in html
    assert "<li>moved 1 day for New Year</li>" in html
    assert "clock paused" not in html and "provisional" not in html
    html = row(_item(), clock=_clock(used=3, left=1, overdue=0, paused=True, provisional=True))
    assert 'data-days>3 of 23 used · 1 left</div>' in html
    assert '<span class="text-body-secondary" title="provisional">*</span>' in html
    assert "is-paused" in html and '<div class="text-body-secondary">clock paused</div>' in html
    assert "data-clock-notes" not in html


def test_an_item_row_without_a_clock_shows_the_days_used_or_a_dash():
    assert '<td class="small" data-clock><span class="text-body-secondary">1 day used</span></td>' \
        in row(_item(days_used=1))
    assert '<td class="small" data-clock>—</td>' in row(_item())


def test_an_item_row_shows_the_planned_dates_the_result_and_the_actions():
    html = row(_item(planned_start=datetime.date(2026, 3, 1)))
    assert '<td class="small text-nowrap">2026-03-01 – —</td>' in html
    assert '<td class="small">\n—\n</td>' in html
    assert "<td></td>\n</tr>" in html
    html = row(_item(result_number="Permit 2026-1", result_document_id=5),
               actions=[ITEM_ACTIONS["approve"], ITEM_ACTIONS["refuse"]])
    assert '<span class="font-monospace">Permit 2026-1</span>' in html
    assert f'<div><a href="{reverse("documents:download", args=[5])}">Download</a></div>' in html
    url = reverse("cases:item_action", args=[7, "refuse"])
    assert (f'<a class="btn btn-sm btn-outline-danger py-0" href="{url}" '
            f'data-item-action="refuse"\n   hx-get="{url}" hx-target="#action-modal-content" '
            'data-bs-toggle="modal" data-bs-target="#action-modal">Refuse</a>') in html
    assert 'data-item-action="approve"' in html


def test_an_item_row_escapes_what_people_wrote():
    item = _item(materials=["<b>Plan</b>"], refusal_reason="<script>1</script>")
    item.matter.name = "A & B <i>"
    item.department.name = '"Planning"'
    item.open_supplement_requests = [SupplementRequest(reason="<img src=x>")]
    html = row(item, clock=_clock(notes=[SimpleNamespace(text="<u>note</u>")]))
    for raw in ("<b>", "<script>", "<i>", "<img", "<u>"):
        assert raw not in html
    assert "A &amp; B &lt;i&gt;" in html and "&quot;Planning&quot;" in html
