import datetime

import pytest

from bangban.deadlines.schedule_file import ScheduleFileError, parse_schedule, schedule_years

D = datetime.date


def errors_of(text):
    with pytest.raises(ScheduleFileError) as raised:
        parse_schedule(text)
    return raised.value.errors


def test_reads_days_with_their_line_numbers():
    rows = parse_schedule("date,kind,name\n2027-02-06,holiday,春节\n\n2027-02-20,workday,春节\n")
    assert [(r.line, r.date, r.kind, r.name) for r in rows] == [
        (2, D(2027, 2, 6), "holiday", "春节"),
        (4, D(2027, 2, 20), "workday", "春节"),
    ]


def test_accepts_bytes_with_the_byte_order_mark_excel_writes():
    rows = parse_schedule("\ufeffdate,kind,name\r\n2027-10-01,holiday,国庆节\r\n".encode())
    assert rows[0].date == D(2027, 10, 1)


def test_the_header_is_required():
    assert errors_of("2027-10-01,holiday,国庆节\n") == [
        'Line 1: the first line must be the header "date,kind,name".'
    ]
    assert errors_of("") == ['Line 1: the first line must be the header "date,kind,name".']


def test_every_bad_line_is_named():
    text = (
        "date,kind,name\n"
        "2027-10-01,holiday,国庆节\n"  # 2
        "2027-13-01,holiday,国庆节\n"  # 3 malformed
        "2027/10/02,holiday,国庆节\n"  # 4 malformed
        "2027-10-03,holliday,国庆节\n"  # 5 unknown kind
        "2027-10-01,holiday,国庆节\n"  # 6 twice
        "2027-10-04,holiday\n"  # 7 a field missing
        "2027-10-06,workday,国庆节\n"  # 8 a Wednesday
        "1927-10-01,holiday,国庆节\n"  # 9 out of range
    )
    assert errors_of(text) == [
        'Line 3: "2027-13-01" is not a date written YYYY-MM-DD.',
        'Line 4: "2027/10/02" is not a date written YYYY-MM-DD.',
        'Line 5: unknown kind "holliday"; use holiday (a day off) or workday (a make-up '
        "working day).",
        "Line 6: 2027-10-01 is already given on line 2.",
        "Line 7: expected 3 fields (date,kind,name), found 2.",
        "Line 8: 2027-10-06 is a weekday and so already a working day; a make-up working day "
        "falls on a Saturday or Sunday.",
        "Line 9: 1927-10-01 is outside the years 2000–2099.",
    ]


def test_a_date_twice_is_caught_even_when_its_first_line_is_bad():
    errors = errors_of("date,kind,name\n2027-10-01,off,国庆节\n2027-10-01,holiday,国庆节\n")
    assert errors[1] == "Line 3: 2027-10-01 is already given on line 2."


def test_a_file_without_days_is_refused():
    assert errors_of("date,kind,name\n\n") == ["The file lists no days."]


def test_a_file_that_is_not_utf8_is_refused():
    assert errors_of("date,kind,name\n2027-10-01,holiday,国庆节\n".encode("gb18030")) == [
        "The file is not UTF-8 text; save it as CSV UTF-8 and try again."
    ]


def test_a_name_too_long_is_refused():
    assert errors_of(f"date,kind,name\n2027-10-01,holiday,{'节' * 65}\n") == [
        "Line 2: the name is longer than 64 characters."
    ]


def test_december_days_before_the_schedules_year_are_a_spill_over_not_a_year():
    # The 2019 schedule: 29 Dec 2018 worked, 30 Dec 2018 – 1 Jan 2019 off.
    rows = parse_schedule(
        "date,kind,name\n2018-12-29,workday,元旦\n2018-12-30,holiday,元旦\n"
        "2018-12-31,holiday,元旦\n2019-01-01,holiday,元旦\n2019-02-04,holiday,春节\n"
    )
    assert schedule_years(rows) == {2019}


def test_several_whole_years_are_each_a_schedule():
    rows = parse_schedule(
        "date,kind,name\n2026-01-01,holiday,元旦\n2026-12-31,holiday,x\n2027-01-01,holiday,元旦\n"
    )
    assert schedule_years(rows) == {2026, 2027}
