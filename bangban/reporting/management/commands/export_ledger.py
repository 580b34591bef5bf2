"""`manage.py export_ledger --out FILE.xlsx [--agency CODE] [--from DATE] [--to DATE]`:
writes the work ledger (工作台账): sheet 1 one row per case, sheet 2 one row per item."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from bangban.accounts.models import Agency
from bangban.audit.services import record_export
from bangban.reporting.exports import write_ledger


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the XLSX file to write")
        parser.add_argument("--agency", help="code of an agency: it and the agencies below it")
        parser.add_argument("--from", dest="date_from", type=_date,
                            help="cases submitted on or after this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", type=_date,
                            help="cases submitted on or before this day (YYYY-MM-DD)")

    def handle(self, *, out, agency, date_from, date_to, **options):
        if agency:
            try:
                agency = Agency.objects.get(code=agency)
            except Agency.DoesNotExist:
                raise CommandError(f"No agency has the code {agency!r}") from None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to")
        started = time.perf_counter()
        timings = write_ledger(out, agency=agency, date_from=date_from, date_to=date_to)
        record_export(what=str(out), details={
            "command": "export_ledger", "agency": agency.code if agency else "",
            "from": str(date_from or ""), "to": str(date_to or ""),
        })
        for name, count, seconds in timings:
            self.stdout.write(f"{name}: {count} rows in {seconds:.2f} s")
        self.stdout.write(f"total: {time.perf_counter() - started:.2f} s -> {out}")
