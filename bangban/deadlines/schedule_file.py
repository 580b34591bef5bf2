"""Read a year's schedule from a CSV file: header `date,kind,name`, then one day a line.

`kind` is `holiday` (a day off) or `workday` (a make-up working day on a weekend); `name` is
the holiday, e.g. 春节. Every line is checked before anything is written, and every problem is
reported with its line number; a file with any problem is refused as a whole.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bangban.core.errors import DomainError
from bangban.deadlines.models import CalendarDay, DayKind

HEADER = ["date", "kind", "name"]
# Years a schedule may be imported for: a typo such as 2207 is caught instead of published.
FIRST_YEAR, LAST_YEAR = 2000, 2099
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME_MAX = CalendarDay._meta.get_field("name").max_length


class ScheduleFileError(DomainError):
    """The file cannot be imported; `errors` holds one line per problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ScheduleRow:
    line: int
    date: datetime.date
    kind: str
    name: str


def parse_iso_date(text):
    """A date written YYYY-MM-DD, or None (Python would also accept 20250926 and week dates)."""
    text = text.strip()
    if not _ISO_DATE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def decode(content):
    """The text of an uploaded file (UTF-8, with or without the byte-order mark Excel writes)."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScheduleFileError(
            [_("The file is not UTF-8 text; save it as CSV UTF-8 and try again.")]
        ) from exc


def parse_schedule(text):
    """The rows of a schedule file, or ScheduleFileError naming every bad line."""
    lines = list(csv.reader(io.StringIO(decode(text))))
    if not lines or [cell.strip().lower() for cell in lines[0]] != HEADER:
        raise ScheduleFileError([
            _('Line 1: the first line must be the header "%(header)s".')
            % {"header": ",".join(HEADER)}
        ])
    errors, rows, seen = [], [], {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (e.g. at the end of the file) say nothing
        if len(cells) != len(HEADER):
            errors.append(
                _("Line %(line)s: expected 3 fields (date,kind,name), found %(count)s.")
                % {"line": number, "count": len(cells)}
            )
            continue
        date_text, kind, name = (cell.strip() for cell in cells)
        day = parse_iso_date(date_text)
        problems = []
        if day is None:
            problems.append(
                _('Line %(line)s: "%(value)s" is not a date written YYYY-MM-DD.')
                % {"line": number, "value": date_text}
            )
        elif not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems.append(
                _("Line %(line)s: %(date)s is outside the years %(first)s–%(last)s.")
                % {"line": number, "date": date_text, "first": FIRST_YEAR, "last": LAST_YEAR}
            )
        if kind not in DayKind.values:
            problems.append(
                _('Line %(line)s: unknown kind "%(value)s"; use holiday (a day off) or workday '
                  "(a make-up working day).")
                % {"line": number, "value": kind}
            )
        elif day is not None and kind == DayKind.WORKDAY and day.weekday() < 5:
            problems.append(
                _("Line %(line)s: %(date)s is a weekday and so already a working day; a make-up "
                  "working day falls on a Saturday or Sunday.")
                % {"line": number, "date": day.isoformat()}
            )
        if len(name) > _NAME_MAX:
            problems.append(
                _("Line %(line)s: the name is longer than %(max)s characters.")
                % {"line": number, "max": _NAME_MAX}
            )
        if day is not None and day in seen:
            problems.append(
                _("Line %(line)s: %(date)s is already given on line %(first)s.")
                % {"line": number, "date": day.isoformat(), "first": seen[day]}
            )
        elif day is not None:
            seen[day] = number
        if problems:
            errors.extend(problems)
            continue
        rows.append(ScheduleRow(number, day, kind, name))
    if errors:
        raise ScheduleFileError(errors)
    if not rows:
        raise ScheduleFileError([_("The file lists no days.")])
    return rows


def schedule_years(rows):
    """The years a file is the schedule of.

    The State Council's schedule for a year can begin in the last days of the year before (the
    2019 schedule gave 29 December 2018 as a working day and 30–31 December 2018 off). Rows
    that are all in December of a year the file does not otherwise cover, just before a year it
    does cover, are such a spill-over: they are imported, but that year is not replaced.
    """
    years = {row.date.year for row in rows}
    return {
        year for year in years
        if not (
            year + 1 in years
            and all(row.date.month == 12 for row in rows if row.date.year == year)
        )
    }
