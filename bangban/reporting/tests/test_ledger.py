"""`manage.py export_ledger`: the work ledger, one row per case and one per item."""

import datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bangban.cases.workflow import CaseState, ItemState
from bangban.deadlines.models import WarningLevel
from bangban.reporting import ledger, xlsx
from tests.factories import AgencyFactory, CaseFactory, CaseItemFactory

pytestmark = pytest.mark.django_db


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _sheet(path, index):
    workbook = openpyxl.load_workbook(path, read_only=True)
    return [list(row) for row in workbook.worksheets[index].iter_rows(values_only=True)]


@pytest.fixture
def cases():
    city = AgencyFactory(code="city")
    district = AgencyFactory(code="district", parent=city)
    other = AgencyFactory(code="other")
    first = CaseFactory(agency=city, in_progress=True, number="BB-1",
                        submitted_at=_at(datetime.date(2026, 3, 2)),
                        decided_at=_at(datetime.date(2026, 3, 4)))
    CaseItemFactory(case=first, state=ItemState.ACCEPTED, warning_level=WarningLevel.RED,
                    due_date=datetime.date(2026, 4, 1), promised_limit=5)
    CaseItemFactory(case=first, state=ItemState.APPROVED, warning_level="", days_used=4,
                    promised_limit=5, result_number="准字001")
    CaseItemFactory(case=first, state=ItemState.APPROVED, days_used=7, promised_limit=5,
                    position=2)
    second = CaseFactory(agency=district, state=CaseState.SUBMITTED, number="BB-2",
                         submitted_at=_at(datetime.date(2026, 5, 6)))
    CaseFactory(agency=other, in_progress=True, number="BB-3",
                submitted_at=_at(datetime.date(2026, 3, 9)))
    CaseFactory(agency=city, state=CaseState.DRAFT, number="BB-draft")
    return first, second


def test_writes_one_row_per_case_and_per_item(cases, tmp_path):
    out = tmp_path / "ledger.xlsx"
    call_command("export_ledger", "--out", str(out), stdout=open(tmp_path / "log", "w"))
    case_sheet, item_sheet = _sheet(out, 0), _sheet(out, 1)
    assert case_sheet[0] == [str(header) for header in ledger.CASE_HEADERS]
    assert [row[0] for row in case_sheet[1:]] == ["BB-1", "BB-2", "BB-3"]  # drafts left out
    first = dict(zip(case_sheet[0], case_sheet[1]))
    assert first["State"] == "In progress"
    assert first["Submitted on"].date() == datetime.date(2026, 3, 2)
    assert first["Accepted on"].date() == datetime.date(2026, 3, 4)
    assert (first["Items"], first["Approved"], first["Accepted by department"]) == (3, 2, 1)
    assert first["Overdue items"] == 2  # red light; decided after its limit
    assert first["Worst warning"] == "Overdue"
    assert dict(zip(case_sheet[0], case_sheet[3]))["Items"] == 0
    assert item_sheet[0] == [str(header) for header in ledger.ITEM_HEADERS]
    assert [row[0] for row in item_sheet[1:]] == ["BB-1"] * 3
    approved = dict(zip(item_sheet[0], item_sheet[2]))
    assert (approved["State"], approved["Days used"], approved["Result document number"],
            approved["Limit unit"]) == ("Approved", 4, "准字001", "working days")


def test_filters_by_agency_subtree_and_submission_days(cases, tmp_path):
    out = tmp_path / "ledger.xlsx"
    log = open(tmp_path / "log", "w")
    call_command("export_ledger", "--out", str(out), "--agency", "city", stdout=log)
    assert [row[0] for row in _sheet(out, 0)[1:]] == ["BB-1", "BB-2"]
    call_command("export_ledger", "--out", str(out), "--from", "2026-03-05", "--to",
                 "2026-05-06", stdout=log)
    assert [row[0] for row in _sheet(out, 0)[1:]] == ["BB-2", "BB-3"]
    assert _sheet(out, 1)[1:] == []


@pytest.mark.parametrize("arguments, message", [
    (["--agency", "nowhere"], "No agency"),
    (["--from", "2026-13-01"], "not a date"),
    (["--from", "2026-05-01", "--to", "2026-04-01"], "after"),
])
def test_refuses_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_ledger", "--out", str(tmp_path / "x.xlsx"), *arguments)


def test_a_table_longer_than_a_sheet_goes_on_in_further_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 3)
    workbook = xlsx.Workbook(tmp_path / "long.xlsx")
    assert workbook.write_table("Items", ["n"], ((n,) for n in range(5))) == 5
    workbook.close()
    book = openpyxl.load_workbook(tmp_path / "long.xlsx", read_only=True)
    assert book.sheetnames == ["Items", "Items (2)", "Items (3)"]
    assert [[r[0] for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets] \
        == [["n", 0, 1], ["n", 2, 3], ["n", 4]]


def test_cells_keep_their_types_and_text_is_escaped(tmp_path):
    from decimal import Decimal

    values = ["<a & b> \x01", "=SUM(A1)", " spaced ", 7, 2.5, True, None,
              datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 2, 14, 30), Decimal("1.5")]
    workbook = xlsx.Workbook(tmp_path / "types.xlsx")
    workbook.write_table("Types: [all]", [f"h{n}" for n in range(len(values))], [values])
    workbook.close()
    book = openpyxl.load_workbook(tmp_path / "types.xlsx")
    sheet = book.worksheets[0]
    assert sheet.title == "Types- (all)"
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    read = [c.value for c in sheet[2]]
    assert read[:7] == ["<a & b> ", "=SUM(A1)", " spaced ", 7, 2.5, True, None]
    assert read[7] == datetime.datetime(2026, 3, 2) and sheet["H2"].is_date
    assert read[8] == datetime.datetime(2026, 3, 2, 14, 30)
    assert read[9] == 1.5
    assert sheet["B2"].data_type == "s"  # text, never a formula


def test_rows_read_ahead_in_batches_come_out_whole_and_in_order(cases, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 2)
    for n in range(5):
        CaseItemFactory(case=cases[1], position=n)
    out = tmp_path / "ledger.xlsx"
    call_command("export_ledger", "--out", str(out), stdout=open(tmp_path / "log", "w"))
    assert [row[0] for row in _sheet(out, 0)[1:]] == ["BB-1", "BB-2", "BB-3"]
    assert [row[0] for row in _sheet(out, 1)[1:]] == ["BB-1"] * 3 + ["BB-2"] * 5
    assert dict(zip(_sheet(out, 0)[0], _sheet(out, 0)[2]))["Items"] == 5


def test_an_error_while_reading_ahead_reaches_the_reader(monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 2)

    def rows():
        yield from range(5)
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError, match="connection lost"):
        list(ledger.read_ahead(rows()))
    assert list(ledger.read_ahead(iter(range(7)))) == list(range(7))
