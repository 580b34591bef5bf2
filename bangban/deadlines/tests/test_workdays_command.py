from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from bangban.deadlines.management.commands.workdays import Command
from bangban.deadlines.models import CalendarDay, PublishedYear
from bangban.deadlines.services import save_calendar_day, seed_from_package
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

GOOD = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-20,workday,春节\n"


@pytest.fixture(autouse=True)
def seeded():
    seed_from_package()


def run(*args):
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().splitlines()


def fails(*args):
    with pytest.raises(CommandError) as raised:
        run(*args)
    return str(raised.value)


def snapshot():
    return (list(CalendarDay.objects.order_by("pk").values_list()),
            list(PublishedYear.objects.order_by("pk").values_list()))


# ---------------------------------------------------------------- due / between


def test_due_prints_the_iso_date_as_its_last_line():
    assert run("due", "2025-09-26", "10") == ["2025-10-16"]
    assert run("due", "2025-09-26", "0") == ["2025-09-26"]


def test_due_beyond_the_known_years_says_it_is_provisional_on_the_line_before():
    lines = run("due", "2026-12-20", "10")
    assert lines[-1] == "2027-01-01"
    assert lines[-2] == ("(provisional) The working-day schedule for 2027 is not published; its "
                         "days are counted Monday to Friday.")


def test_between_prints_the_number_of_working_days_as_its_last_line():
    assert run("between", "2025-09-26", "2025-10-16") == ["10"]
    assert run("between", "2025-10-16", "2025-10-16") == ["0"]
    lines = run("between", "2026-12-30", "2028-01-04")
    assert lines[-1] == "264"  # 31 Dec 2026, 261 weekdays of 2027, 3–4 Jan 2028
    assert "2027–2028" in lines[-2] and lines[-2].startswith("(provisional)")


def test_an_agencys_local_days_off_count_with_the_agency_option():
    agency = AgencyFactory(code="xj")
    save_calendar_day(day=CalendarDay(date="2025-06-06", kind="holiday", agency=agency))
    assert run("due", "2025-06-05", "1") == ["2025-06-06"]
    assert run("due", "2025-06-05", "1", "--agency", "xj") == ["2025-06-09"]
    assert run("between", "2025-06-05", "2025-06-09", "--agency=xj") == ["1"]
    assert fails("due", "2025-06-05", "1", "--agency", "nowhere") == (
        'No agency has the code "nowhere".'
    )


@pytest.mark.parametrize("value", ["2025-9-26", "2025-02-30", "20250926", "tomorrow", ""])
def test_a_malformed_date_is_refused(value):
    assert fails("due", value, "3") == (
        f'START must be a date written YYYY-MM-DD, not "{value}".'
    )
    assert fails("between", "2025-01-01", value) == (
        f'END must be a date written YYYY-MM-DD, not "{value}".'
    )


@pytest.mark.parametrize(("value", "message"), [
    ("-3", "N must not be negative (got -3)."),
    ("10001", "N must be at most 10000 working days (got 10001)."),
    ("99999999999999999999", "N must be at most 10000 working days (got 99999999999999999999)."),
    ("3.5", 'N must be a whole number of working days, not "3.5".'),
    ("ten", 'N must be a whole number of working days, not "ten".'),
    ("١٠", 'N must be a whole number of working days, not "١٠".'),
])
def test_a_negative_absurd_or_malformed_count_is_refused(value, message):
    assert fails("due", "2025-09-26", value) == message


def test_the_largest_count_is_accepted():
    assert run("due", "2025-09-26", "10000")[-1].startswith("20")


def test_an_end_before_the_start_is_refused():
    assert fails("between", "2025-10-16", "2025-09-26") == (
        "END (2025-09-26) is before START (2025-10-16)."
    )


def test_a_result_past_the_last_representable_day_is_refused():
    assert fails("due", "9999-12-01", "100") == "The result lies beyond the year 9999."


# ---------------------------------------------------------------- import


def test_import_reports_what_it_did(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert run("import", str(path)) == [
        f"Imported {path}: the schedule of 2027, 3 days; 3 added, 0 changed, 0 removed; "
        "0 open due dates recomputed."
    ]
    assert run("due", "2027-02-05", "1") == ["2027-02-08"]
    assert run("due", "2027-02-19", "1") == ["2027-02-20"]


@pytest.mark.parametrize(("content", "error"), [
    ("2027-01-01,holiday,元旦\n", 'Line 1: the first line must be the header "date,kind,name".'),
    (GOOD + "2027-02-3O,holiday,春节\n", 'Line 5: "2027-02-3O" is not a date written YYYY-MM-DD.'),
    (GOOD + "2027-02-07,vacation,春节\n", 'Line 5: unknown kind "vacation"'),
    (GOOD + "2027-02-06,holiday,春节\n", "Line 5: 2027-02-06 is already given on line 3."),
    (GOOD + "2027-02-07;holiday;春节\n", "Line 5: expected 3 fields (date,kind,name), found 1."),
])
def test_a_bad_file_is_refused_whole_naming_the_line(tmp_path, content, error):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = snapshot()
    message = fails("import", str(path))
    assert message.startswith(f"{path} was not imported; nothing changed.\n")
    assert error in message
    assert snapshot() == before


def test_a_missing_file_is_refused(tmp_path):
    assert fails("import", str(tmp_path / "none.csv")).startswith(
        f"Cannot read {tmp_path / 'none.csv'}: No such file or directory"
    )


def test_a_bad_file_from_the_command_line_exits_non_zero(tmp_path, capsys, monkeypatch):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "2027-02-07,vacation,春节\n", encoding="utf-8")
    # run_from_argv closes every connection on the way out; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "workdays", "--skip-checks", "import", str(path)])
    assert exited.value.code == 1
    assert 'Line 5: unknown kind "vacation"' in capsys.readouterr().err
    assert not PublishedYear.objects.filter(year=2027).exists()


# ---------------------------------------------------------------- seed / status


def test_seed_says_when_there_is_nothing_to_write():
    assert run("seed") == [
        "Working-day calendar: the years the chinese_calendar package knows (2004–2026) are "
        "all published already; nothing written."
    ]


def test_status_lists_the_published_years_and_warns_about_next_year(monkeypatch):
    import datetime

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 11, 23))
    lines = run("status")
    assert lines[0] == "Published years: 2004–2026."
    assert lines[1].startswith("The working-day schedule for 2027 is not in the calendar yet")
