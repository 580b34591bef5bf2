import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangban.deadlines.schedule_file import ScheduleFileError, parse_iso_date
from bangban.deadlines.selectors import (
    calendar_is_seeded,
    current_calendar,
    schedule_warnings,
    unpublished_years,
)
from bangban.deadlines.services import describe_import, import_schedule, seed_from_package
from bangban.deadlines.working_calendar import year_ranges

# The longest span `due` accepts: about forty years of working days.
MAX_COUNT = 10_000


class Command(BaseCommand):
    # A property because argparse cannot format a lazy translation.
    @property
    def help(self):
        return _(
            "Working days of the PRC calendar: compute a due date or count working days, import "
            "a year's schedule from a CSV file, or seed the calendar from the chinese_calendar "
            "package."
        )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        due = actions.add_parser(
            "due", help=_("Print the date N working days after START (counting starts the "
                          "working day after START)."))
        due.add_argument("start", metavar="START", help=_("A date, YYYY-MM-DD."))
        due.add_argument("count", metavar="N", help=_("Working days, 0 to %(max)s.")
                         % {"max": MAX_COUNT})
        due.add_argument("--agency", metavar="CODE",
                         help=_("Also count the local days off of the agency with this code."))

        between = actions.add_parser(
            "between", help=_("Print the number of working days after START up to and "
                              "including END."))
        between.add_argument("start", metavar="START", help=_("A date, YYYY-MM-DD."))
        between.add_argument("end", metavar="END", help=_("A date, YYYY-MM-DD, not before START."))
        between.add_argument("--agency", metavar="CODE",
                             help=_("Also count the local days off of the agency with this code."))

        load = actions.add_parser(
            "import", help=_("Import a year's schedule from a CSV file with the header "
                             "date,kind,name (kind: holiday or workday). A file with a bad line "
                             "changes nothing."))
        load.add_argument("file", metavar="FILE", type=Path)

        actions.add_parser(
            "seed", help=_("Write the schedules the chinese_calendar package knows into the "
                           "calendar; years already published are left as they are."))
        actions.add_parser(
            "status", help=_("Show the published years and what is missing."))

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    # ------------------------------------------------------------------ arguments

    @staticmethod
    def _date(value, argument):
        day = parse_iso_date(value)
        if day is None:
            raise CommandError(
                _('%(argument)s must be a date written YYYY-MM-DD, not "%(value)s".')
                % {"argument": argument, "value": value}
            )
        return day

    @staticmethod
    def _count(value):
        text = value.strip()
        number = text[1:] if text.startswith("-") else text
        if not number.isascii() or not number.isdigit():
            raise CommandError(
                _('N must be a whole number of working days, not "%(value)s".') % {"value": value}
            )
        count = int(text)
        if count < 0:
            raise CommandError(_("N must not be negative (got %(value)s).") % {"value": count})
        if count > MAX_COUNT:
            raise CommandError(
                _("N must be at most %(max)s working days (got %(value)s).")
                % {"max": MAX_COUNT, "value": count}
            )
        return count

    @staticmethod
    def _calendar(code):
        if not code:
            return current_calendar()
        from bangban.accounts.models import Agency

        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(_('No agency has the code "%(code)s".') % {"code": code})
        return current_calendar(agency)

    def _provisional_note(self, calendar, first, last):
        years = unpublished_years(calendar, first, last)
        self.stdout.write(
            _("(provisional) The working-day schedule for %(years)s is not published; its days "
              "are counted Monday to Friday.") % {"years": year_ranges(years)}
        )

    # ------------------------------------------------------------------ actions

    def _due(self, *, start, count, agency=None, **options):
        start = self._date(start, "START")
        count = self._count(count)
        calendar = self._calendar(agency)
        try:
            result = calendar.due(start, count)
        except (OverflowError, ValueError):  # past date.max
            raise CommandError(_("The result lies beyond the year 9999.")) from None
        if result.provisional:
            self._provisional_note(calendar, start + datetime.timedelta(days=1), result.date)
        self.stdout.write(result.date.isoformat())

    def _between(self, *, start, end, agency=None, **options):
        start = self._date(start, "START")
        end = self._date(end, "END")
        if end < start:
            raise CommandError(
                _("END (%(end)s) is before START (%(start)s).")
                % {"end": end.isoformat(), "start": start.isoformat()}
            )
        calendar = self._calendar(agency)
        result = calendar.count_between(start, end)
        if result.provisional:
            self._provisional_note(calendar, start + datetime.timedelta(days=1), end)
        self.stdout.write(str(result.days))

    def _import(self, *, file, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from exc
        try:
            summary = import_schedule(content=content, source=file.name)
        except ScheduleFileError as exc:
            raise CommandError(
                _("%(file)s was not imported; nothing changed.") % {"file": file}
                + "\n" + "\n".join(exc.errors)
            ) from exc
        self.stdout.write(self.style.SUCCESS(describe_import(summary, file)))

    def _seed(self, **options):
        summary = seed_from_package()
        if not summary.years:
            self.stdout.write(
                _("Working-day calendar: the years the chinese_calendar package knows "
                  "(%(years)s) are all published already; nothing written.")
                % {"years": year_ranges(summary.skipped)}
            )
            return
        message = _("Working-day calendar seeded from the chinese_calendar package: %(years)s, "
                    "%(days)s days.") % {"years": year_ranges(summary.years),
                                         "days": summary.created}
        if summary.skipped:
            message += " " + _("Already published and left as they are: %(years)s.") % {
                "years": year_ranges(summary.skipped)}
        self.stdout.write(self.style.SUCCESS(message))

    def _status(self, **options):
        calendar = current_calendar()
        if not calendar_is_seeded():
            self.stdout.write(self.style.WARNING(
                _("The calendar is not seeded; the chinese_calendar package's schedules are "
                  "used. Run: manage.py workdays seed")))
        self.stdout.write(
            _("Published years: %(years)s.")
            % {"years": year_ranges(calendar.published_years) or "—"}
        )
        for warning in schedule_warnings():
            self.stdout.write(self.style.WARNING(warning))
