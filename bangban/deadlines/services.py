"""Changes to the working-day calendar. Each runs in one transaction and changes the revision
token in it, so every process rebuilds its calendar on its next use (see selectors.py), and
recomputes the stored due dates of the years it touched."""

import uuid
from dataclasses import dataclass, field

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from bangban.deadlines.models import CalendarDay, CalendarRevision, PublishedYear
from bangban.deadlines.schedule_file import ScheduleRow, parse_schedule, schedule_years
from bangban.deadlines.working_calendar import package_days, package_years, year_ranges


def _lock_calendar():
    """Serialise the calendar's writers (two `workdays seed` at once, an import during an edit):
    lock the revision row, which every change updates anyway."""
    CalendarRevision.objects.get_or_create(pk=1)
    CalendarRevision.objects.select_for_update().get(pk=1)


def bump_revision():
    """Tell every process that the calendar changed (call inside the changing transaction)."""
    CalendarRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def _seed_if_empty():
    """Before the first national change: store the package's schedules the calendar has been
    using (see selectors.py), so that the change adds to them instead of replacing them all
    with a single day or year."""
    if not PublishedYear.objects.exists() and not CalendarDay.objects.filter(
        agency__isnull=True
    ).exists():
        seed_from_package()


def recompute_due_dates(*, years, agency=None):
    """Recompute every open due date stored from working days that falls in `years`.

    Called by every calendar change inside its transaction, with the years whose days changed
    (and the agency, for an agency's local days). Returns how many dates were recomputed.

    The stored dates are the open item clocks' (`CaseItem.due_date`, with the warning level
    and its next check; see deadlines/item_clock.py): every item accepted and not decided whose
    window (acceptance … the later of its due date and today) touches `years`, of items
    decided by `agency`'s departments and those below it (all for a national change). A
    change of warning level is recorded and announced as the scan does (jobs.py). Dates chosen
    or edited by people are left alone: `CaseItem.planned_start` / `planned_end` and
    `Case.target_completion_date` are a plan (预排工期) the specialist edits, and
    `SupplementRequest.due_date` is the date the department set.
    """
    from bangban.deadlines.jobs import recompute_items

    return recompute_items(years=years, agency=agency)


@dataclass
class ImportSummary:
    years: list = field(default_factory=list)  # the years whose schedule was replaced
    days: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    recomputed: int = 0


def describe_import(summary, file):
    return _(
        "Imported %(file)s: the schedule of %(years)s, %(days)s days; %(created)s added, "
        "%(updated)s changed, %(deleted)s removed; %(recomputed)s open due dates recomputed."
    ) % {"file": file, "years": year_ranges(summary.years), "days": summary.days,
         "created": summary.created, "updated": summary.updated, "deleted": summary.deleted,
         "recomputed": summary.recomputed}


def _write_national_days(rows, years, source):
    """Make the national rows of `years` exactly `rows` of those years; upsert the other rows
    (a spill-over into the year before); publish `years` with `source`."""
    summary = ImportSummary(years=sorted(years), days=len(rows))
    touched_years = set(years) | {row.date.year for row in rows}
    existing = {
        day.date: day
        for day in CalendarDay.objects.select_for_update().filter(
            agency__isnull=True, date__year__in=touched_years
        )
    }
    wanted = {row.date: row for row in rows}
    stale = [day.pk for date, day in existing.items()
             if date.year in years and date not in wanted]
    if stale:
        summary.deleted = CalendarDay.objects.filter(pk__in=stale).delete()[0]
    to_create, to_update = [], []
    for date, row in wanted.items():
        day = existing.get(date)
        if day is None:
            to_create.append(CalendarDay(date=date, kind=row.kind, name=row.name))
        elif (day.kind, day.name) != (row.kind, row.name):
            day.kind, day.name = row.kind, row.name
            to_update.append(day)
    CalendarDay.objects.bulk_create(to_create, batch_size=500)
    for day in to_update:
        day.save(update_fields=["kind", "name", "updated_at"])
    summary.created, summary.updated = len(to_create), len(to_update)
    for year in years:
        PublishedYear.objects.update_or_create(year=year, defaults={"source": source})
    bump_revision()
    changed = {row.date.year for row in rows} | set(years)
    summary.recomputed = recompute_due_dates(years=sorted(changed))
    return summary


@transaction.atomic
def import_schedule(*, content, source):
    """Import a schedule file (see schedule_file.py): all of it, or nothing when a line is bad.

    Each year the file is the schedule of is replaced by the file's days and marked published;
    `source` (e.g. the file name) is recorded with it. Raises ScheduleFileError.
    """
    rows = parse_schedule(content)
    _lock_calendar()
    _seed_if_empty()
    return _write_national_days(rows, schedule_years(rows), source)


@dataclass
class SeedSummary:
    years: list = field(default_factory=list)  # the years written now
    skipped: list = field(default_factory=list)  # already published: left as they are
    created: int = 0


@transaction.atomic
def seed_from_package():
    """Write the chinese_calendar package's schedules (2004–2026 in 1.11) into the calendar.

    Only years not published yet are written, so running it again (scripts/start.sh does, on
    every start) never undoes an administrator's import or edit; a newer package version adds
    its new years.
    """
    _lock_calendar()
    published = set(PublishedYear.objects.values_list("year", flat=True))
    years = [year for year in package_years() if year not in published]
    summary = SeedSummary(years=years, skipped=[y for y in package_years() if y in published])
    if not years:
        return summary
    rows = [ScheduleRow(0, day.date, day.kind, day.name)
            for day in package_days() if day.date.year in years]
    source = f"chinese_calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    written = _write_national_days(rows, set(years), source)
    summary.created = written.created
    return summary


@transaction.atomic
def save_calendar_day(*, day):
    """Add or change one day (national or an agency's) after validating it."""
    _lock_calendar()
    if day.agency_id is None:
        _seed_if_empty()
    previous = None
    if day.pk:
        previous = (
            CalendarDay.objects.select_for_update().filter(pk=day.pk)
            .values_list("date", flat=True).first()
        )
    day.full_clean()
    day.save()
    bump_revision()
    years = {day.date.year} | ({previous.year} if previous else set())
    recompute_due_dates(years=sorted(years), agency=day.agency)
    return day


@transaction.atomic
def delete_calendar_days(*, days):
    """Remove days (a queryset or a list) from the calendar."""
    _lock_calendar()
    days = list(days)
    years = sorted({day.date.year for day in days})
    agencies = {day.agency_id for day in days}
    CalendarDay.objects.filter(pk__in=[day.pk for day in days]).delete()
    bump_revision()
    for agency_id in agencies:
        agency = next(day.agency for day in days if day.agency_id == agency_id)
        recompute_due_dates(years=years, agency=agency)
    return len(days)


@transaction.atomic
def save_published_year(*, published):
    _lock_calendar()
    _seed_if_empty()
    published.full_clean()
    published.save()
    bump_revision()
    recompute_due_dates(years=[published.year])
    return published


@transaction.atomic
def delete_published_years(*, years):
    _lock_calendar()
    years = list(years)
    PublishedYear.objects.filter(pk__in=[y.pk for y in years]).delete()
    bump_revision()
    recompute_due_dates(years=sorted(y.year for y in years))
    return len(years)
