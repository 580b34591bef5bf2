"""Every table of the interface as a spreadsheet: the registry of exportable tables.

A table is declared once (`register`): its key, its title, its columns as (header, accessor)
and `rows(user, params)`, which answers the page's own filters (`params`, the page's query
string) with the page's own selector, so the export holds what the page shows and nothing
the user may not see — it raises PermissionDenied where the page does. The rows are source
records (a queryset, read in chunks, or a list for the small computed tables); a table whose
record spans several lines (a key project and its cases) says so with `lines`.

`export_table` writes the header and the lines of a table in constant memory (xlsx.py).
Short exports are written during the request; longer ones become an `ExportJob` for the
worker (services.py, jobs.py).
"""

import datetime
import time
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Callable

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangban.reporting import ledger
from bangban.reporting.xlsx import Workbook

CHUNK = 500


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list  # [(header, accessor(line) -> value)]
    rows: Callable  # (user, params: QueryDict) -> QuerySet | list of records
    lines: Callable = field(default=lambda record: (record,))

    @property
    def headers(self):
        return [header for header, _accessor in self.columns]


TABLES = {}


def register(table):
    TABLES[table.key] = table
    return table


def get_table(key):
    """The registered table, or None."""
    return TABLES.get(key)


def attr(path, default=""):
    """Accessor of a dotted attribute path; a missing link (None, no related row) gives
    `default`."""
    getter = attrgetter(path)

    def read(line):
        try:
            value = getter(line)
        except (AttributeError, ObjectDoesNotExist):
            return default
        return default if value is None else value
    return read


def display(name):
    """Accessor of a choice field's label."""
    return lambda line: str(getattr(line, f"get_{name}_display")())


def person(path):
    read = attr(path, None)
    return lambda line: read(line).display_name if read(line) is not None else ""


def cell_value(value):
    """A value for a cell, as the page shows it: local time without a time zone, labels
    and other lazy texts as text."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if value is None or isinstance(value, (str, int, float, datetime.date, bool)):
        return value
    return str(value)


def count_records(records):
    return len(records) if isinstance(records, (list, tuple)) else records.count()


def iterate_records(records):
    """A queryset (or anything with its `iterator`) in chunks, a list as it is."""
    if isinstance(records, (list, tuple)):
        return iter(records)
    return records.iterator(chunk_size=CHUNK)


def table_lines(table, records, *, progress=None):
    """Cell tuples of every line of `records`; `progress(n)` after each record (n records
    so far)."""
    accessors = [accessor for _header, accessor in table.columns]
    for number, record in enumerate(iterate_records(records), start=1):
        for line in table.lines(record):
            yield tuple(cell_value(accessor(line)) for accessor in accessors)
        if progress is not None:
            progress(number)


def export_table(table, records, path, *, progress=None):
    """Writes the table's header and lines to the XLSX file `path`; returns the number of
    lines."""
    workbook = Workbook(path)
    try:
        with transaction.atomic():  # the cursor streams instead of materialising
            return workbook.write_table(table.title, table.headers,
                                        table_lines(table, records, progress=progress))
    finally:
        workbook.close()


def records_for(table, user, params):
    """The table's records for `user` and the page's `params` (PermissionDenied when the
    user may not read the page)."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    return table.rows(user, params)


def write_ledger(path, *, agency=None, date_from=None, date_to=None):
    """The work ledger (`manage.py export_ledger`): cases on sheet 1, their items on sheet 2
    (and further item sheets past a sheet's million rows). Returns [(name, rows, seconds)]."""
    cases = ledger.ledger_cases(agency=agency, date_from=date_from, date_to=date_to)
    workbook = Workbook(path)
    timings = []
    # One transaction: both sheets read the same ledger, and the cursors stream (see ledger.py).
    try:
        with transaction.atomic():
            for name, title, headers, rows in (
                ("cases", _("Cases"), ledger.CASE_HEADERS, ledger.case_rows(cases)),
                ("items", _("Items"), ledger.ITEM_HEADERS, ledger.item_rows(cases)),
            ):
                started = time.perf_counter()
                count = workbook.write_table(title, headers, rows)
                timings.append((name, count, time.perf_counter() - started))
    finally:
        started = time.perf_counter()
        workbook.close()
    timings.append(("assemble", 0, time.perf_counter() - started))
    return timings
