"""Benchmark: the warning-light scan over 1,000,000 open items on PostgreSQL, against one SQL
UPDATE that leaves the items in the same state.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres):

    uv run python bench/warning_rescan.py                       # 1,000,000 items
    uv run python bench/warning_rescan.py --items 100000 --repeat 2

It builds a seed database once (`--database`, reused while it holds `--items` items; `--reseed`
builds it again): 10 agencies, 100 departments with two representatives each, 500 specialists,
100,000 cases of 10 items each with promised limits of 5–20 working days, accepted between 1
and limit + 3 working days before the scan (most open items are within their limit, a few are
overdue); one item in ten waits for a supplement (an open pause). Every stored clock (due
date, light, next check) is what `bangban.deadlines.clock` computes on the previous working
day, so the scan day is the worker's next daily run.

Each run starts from a fresh copy of the seed database (CREATE DATABASE … TEMPLATE) and times,
including the commit:

- **scan**: `bangban.deadlines.jobs.scan_warning_levels(today)`: the worker's job — the
  conditional UPDATE that claims each change, and one message per person (in the app and by
  SMS) listing their items that changed;
- **one UPDATE**: the single statement that stores the same lights and next checks, with
  nothing else.

Both must leave identical item rows (a checksum is compared), and after the scan a random
sample of items is read again from their rows (`item_clock.clock_columns`) and must agree with
what the scan stored. The last line is the ratio of the best times (goal ≤ 2×):

    scan / one UPDATE: 1.4×
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bangban.core.province_data import clone_sql, outside_transaction_sql  # noqa: E402

AGENCIES, DEPARTMENTS_PER_AGENCY, SPECIALISTS_PER_AGENCY, ITEMS_PER_CASE = 10, 10, 50, 10
LIMITS = (5, 10, 15, 20)
PAUSED_EVERY = 10  # one item in ten waits for a supplement


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--today", type=datetime.date.fromisoformat,
                        default=datetime.date(2026, 11, 23), help="the scan day (ISO)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best counts)")
    parser.add_argument("--sample", type=int, default=2000,
                        help="items read again from their rows after the scan")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bangban_bench_warnings")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if args.items < ITEMS_PER_CASE or args.items % ITEMS_PER_CASE:
        parser.error(f"--items must be a positive multiple of {ITEMS_PER_CASE}")
    return args


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # no query log
    # The seeded users never log in: a fast hash instead of PBKDF2's deliberate slowness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def use_database(name):
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def admin_sql(*statements):
    """Runs statements outside any database we copy (CREATE/DROP DATABASE)."""
    from django.db import connection

    current = connection.settings_dict["NAME"]
    use_database("postgres")
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    use_database(current)


def seeded_row(database, query):
    """The one row `query` answers in a seed database, or None while that database or the
    project's tables do not exist yet."""
    from django.db import connection

    if not database_exists(database):
        return None
    use_database(database)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('cases_caseitem') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(query)
        return cursor.fetchone()


def database_exists(name):
    from django.db import connection

    current = connection.settings_dict["NAME"]
    use_database("postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    use_database(current)
    return found


# ------------------------------------------------------------------------------ the seed


def previous_working_day(calendar, day):
    day -= datetime.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def stored_clocks(calendar, day):
    """{(limit, age, paused): (accepted on, due date, light, next check)}: the clock as it
    reads on `day` for an item accepted `age` working days before it (1 … limit + 3: most open
    items are within their limit, a few are overdue), optionally waiting for a supplement
    asked two days after acceptance."""
    from bangban.deadlines import clock
    from bangban.deadlines.item_clock import default_policy

    policy = default_policy()
    table = {}
    for limit in LIMITS:
        accepted = day
        for age in range(1, limit + 4):
            accepted = previous_working_day(calendar, accepted)
            for paused in (False, True):
                pause_start = min(accepted + datetime.timedelta(days=2), day)
                pauses = [clock.Pause(pause_start, None, "supplement", "company")] \
                    if paused else []
                reading = clock.read_clock(started_on=accepted, limit=limit,
                                           unit=clock.WORKING_DAY, calendar=calendar,
                                           today=day, pauses=pauses)
                table[limit, age, paused] = (
                    accepted, reading.due_date, clock.warning_level(reading, policy),
                    clock.next_check(reading, policy, calendar=calendar, pauses=pauses))
    return table


def seed(args, log):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bangban.accounts.models import Role
    from bangban.accounts.system import system_user
    from bangban.cases.models import Case, CaseItem, ClockPause
    from bangban.cases.workflow import ItemState
    from bangban.deadlines.selectors import current_calendar
    from bangban.projects.models import Project
    from tests.factories import (
        AgencyFactory,
        CaseFactory,
        CaseItemFactory,
        CompanyContactFactory,
        DepartmentFactory,
        MatterFactory,
        MembershipFactory,
        ProjectFactory,
        UserFactory,
    )

    started = time.perf_counter()
    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"')
    use_database(args.database)
    call_command("migrate", verbosity=0)
    call_command("workdays", "seed", verbosity=0)
    calendar = current_calendar()
    scan_day = args.today
    stored_on = previous_working_day(calendar, scan_day)
    clocks = stored_clocks(calendar, stored_on)
    cases = args.items // ITEMS_PER_CASE
    log(f"seeding {args.items:,} items in {cases:,} cases; clocks stored as on {stored_on}, "
        f"scan on {scan_day}")

    with transaction.atomic():
        system_user()
        agencies = [AgencyFactory() for _ in range(AGENCIES)]
        departments, specialists = [], []
        for agency in agencies:
            for _ in range(DEPARTMENTS_PER_AGENCY):
                department = DepartmentFactory(agency=agency)
                departments.append(department.pk)
                for _ in range(2):
                    MembershipFactory(agency=agency, department=department,
                                      role=Role.DEPARTMENT_REPRESENTATIVE,
                                      user=UserFactory(email=""))
            for _ in range(SPECIALISTS_PER_AGENCY):
                specialist = UserFactory(email="")
                MembershipFactory(agency=agency, user=specialist, role=Role.SPECIALIST)
                specialists.append(specialist)
        matters = [MatterFactory().pk for _ in range(ITEMS_PER_CASE)]
        contact = CompanyContactFactory()
        project = ProjectFactory(company=contact.company, agency=agencies[0])
        case = CaseFactory(agency=agencies[0], project=project, company_contact=contact,
                           in_progress=True, specialist=specialists[0])
        item = CaseItemFactory(case=case, matter_id=matters[0], department_id=departments[0],
                               state=ItemState.ACCEPTED)

    agency_ids = "ARRAY[%s]::bigint[]" % ",".join(str(a.pk) for a in agencies)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(clone_sql(Project, project.pk, {
            "name": "'bench-' || n", "agency_id": f"({agency_ids})[1 + n % {AGENCIES}]",
        }, f"generate_series(1, {cases}) AS n"))
        cursor.execute("CREATE TEMP TABLE bench_project AS SELECT id, "
                       "substr(name, 7)::int AS n FROM projects_project "
                       "WHERE name LIKE 'bench-%'")
        cursor.execute(clone_sql(Case, case.pk, {
            "number": "'BB' || lpad(p.n::text, 10, '0')", "project_id": "p.id",
            "agency_id": f"({agency_ids})[1 + p.n % {AGENCIES}]",
            "specialist_id": "(ARRAY[%s]::bigint[])[1 + (p.n %% %d) * %d + (p.n / %d) %% %d]" % (
                ",".join(str(user.pk) for user in specialists), AGENCIES,
                SPECIALISTS_PER_AGENCY, AGENCIES, SPECIALISTS_PER_AGENCY),
        }, "bench_project AS p"))
        cursor.execute("CREATE TEMP TABLE bench_case AS SELECT id, "
                       "substr(number, 3)::int AS n FROM cases_case WHERE number LIKE 'BB0%'")
        cursor.execute("CREATE TEMP TABLE bench_clock (lim int, age int, paused bool, "
                       "accepted_on date, due date, level text, next_check date)")
        cursor.executemany("INSERT INTO bench_clock VALUES (%s, %s, %s, %s, %s, %s, %s)",
                           [(*key, *value) for key, value in sorted(clocks.items())])
        tz = timezone.get_current_timezone_name()
        # Item j of case c: a deterministic "random" limit, age and pause from hashes of (c, j).
        cursor.execute(clone_sql(CaseItem, item.pk, {
            "case_id": "c.id", "matter_id": f"(ARRAY{matters}::bigint[])[1 + j]",
            "department_id": f"(ARRAY{departments}::bigint[])"
                             f"[1 + (c.n % {AGENCIES}) * {DEPARTMENTS_PER_AGENCY} + j]",
            "position": "j",
            "state": f"CASE WHEN bc.paused THEN '{ItemState.SUPPLEMENT_REQUESTED}' "
                     f"ELSE '{ItemState.ACCEPTED}' END",
            "promised_limit": "bc.lim", "limit_unit": "'working_day'",
            "accepted_at": f"(bc.accepted_on + time '10:00') AT TIME ZONE '{tz}'",
            "pushed_at": f"(bc.accepted_on + time '09:00') AT TIME ZONE '{tz}'",
            "due_date": "bc.due", "warning_level": "bc.level",
            "warning_next_check": "bc.next_check",
        }, f"bench_case AS c CROSS JOIN generate_series(0, {ITEMS_PER_CASE - 1}) AS j "
           f"CROSS JOIN LATERAL (SELECT (ARRAY{list(LIMITS)})[1 + abs(hashtext(j || '-' || c.n))"
           f" % {len(LIMITS)}] AS lim) AS l "
           "JOIN bench_clock AS bc ON bc.lim = l.lim "
           "AND bc.age = 1 + abs(hashtext(c.n || '/' || j)) % (l.lim + 3) "
           f"AND bc.paused = (abs(hashtext(c.n || ':' || j)) % {PAUSED_EVERY} = 3)"))
        cursor.execute(f"DELETE FROM cases_caseitem WHERE id = {int(item.pk)}")
        cursor.execute(
            f'INSERT INTO "{ClockPause._meta.db_table}" (created_at, updated_at, item_id, cause, '
            "kind, attributed_to, started_at, ended_at, note, end_note) "
            "SELECT now(), now(), i.id, 'supplement', '', 'company', "
            f"(least((i.accepted_at AT TIME ZONE '{tz}')::date + 2, %s) + time '10:00') "
            f"AT TIME ZONE '{tz}', NULL, '', '' "
            "FROM cases_caseitem AS i WHERE i.state = %s",
            [stored_on, ItemState.SUPPLEMENT_REQUESTED])
        cursor.execute("SELECT count(*) FROM cases_caseitem")
        (count,) = cursor.fetchone()
    if count != args.items:
        raise SystemExit(f"seeded {count} items, expected {args.items}")
    outside_transaction_sql("VACUUM ANALYZE")
    log(f"seeded in {time.perf_counter() - started:.0f} s")


def seeded_items(args):
    row = seeded_row(args.database, "SELECT count(*) FROM cases_caseitem")
    return row[0] if row else 0


# ------------------------------------------------------------------------------ the runs

BASELINE = """
UPDATE cases_caseitem SET
    warning_level = CASE WHEN due_date < %(today)s THEN 'red' ELSE 'yellow' END,
    warning_next_check = CASE WHEN due_date < %(today)s THEN NULL ELSE due_date + 1 END
WHERE warning_next_check <= %(today)s AND state IN ('accepted', 'supplement_requested')
  AND accepted_at IS NOT NULL
"""

CHECKSUM = """
SELECT md5(string_agg(id || ':' || warning_level || ':' || coalesce(warning_next_check::text, '')
                      || ':' || coalesce(due_date::text, ''), ',' ORDER BY id))
FROM cases_caseitem
"""


def fresh_copy(args):
    from django.db import connection

    run = f"{args.database}_run"
    use_database("postgres")
    admin_sql(f'DROP DATABASE IF EXISTS "{run}"',
              f'CREATE DATABASE "{run}" TEMPLATE "{args.database}"')
    use_database(run)
    with connection.cursor() as cursor:  # the same warm start for both
        cursor.execute("SELECT count(*), max(warning_level) FROM cases_caseitem")
        cursor.execute("SELECT count(*) FROM notifications_notification")
    return run


def run_scan(args):
    from django.db import connection

    from bangban.deadlines.jobs import scan_warning_levels

    started = time.perf_counter()
    changed = scan_warning_levels(today=args.today)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notifications_notification")
        (messages,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM notifications_outboxmessage")
        (outgoing,) = cursor.fetchone()
        cursor.execute(CHECKSUM)
        (checksum,) = cursor.fetchone()
    return elapsed, checksum, {"changed": changed, "messages": messages,
                               "SMS/e-mails queued": outgoing}


def run_baseline(args):
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BASELINE, {"today": args.today})
        changed = cursor.rowcount
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(CHECKSUM)
        (checksum,) = cursor.fetchone()
    return elapsed, checksum, {"rows updated": changed}


def check_sample(args, log):
    """Reads a random sample of items again from their rows and compares with the scan."""
    from bangban.cases.workflow import ItemState
    from bangban.deadlines.item_clock import clock_columns
    from bangban.deadlines.jobs import running_items

    ids = list(running_items().values_list("pk", flat=True))
    rng = random.Random(1)
    sample = rng.sample(ids, min(args.sample, len(ids)))
    disagree = 0
    for item in running_items().filter(pk__in=sample):
        columns = clock_columns(item, today=args.today)[1]
        stored = (item.warning_level, item.warning_next_check)
        expected = (columns["warning_level"], columns["warning_next_check"])
        if item.state != ItemState.SUPPLEMENT_REQUESTED:  # an open pause moves its due date
            stored, expected = (*stored, item.due_date), (*expected, columns["due_date"])
        disagree += stored != expected
    if disagree:
        raise SystemExit(f"{disagree} of {len(sample)} items disagree with their clocks")
    log(f"{len(sample)} random items read again from their rows: all agree with the scan")


def main():
    args = parse_args()
    setup_django(f"{args.server}/{args.database}")

    def log(text):
        print(text, flush=True)

    if args.reseed or seeded_items(args) != args.items:
        seed(args, log)
    else:
        log(f"reusing the seed database {args.database} ({args.items:,} items)")
    best = {}
    checksums = set()
    for round_ in range(args.repeat):
        for name, run in (("one UPDATE", run_baseline), ("scan", run_scan)):
            fresh_copy(args)
            elapsed, checksum, figures = run(args)
            checksums.add(checksum)
            best[name] = min(best.get(name, elapsed), elapsed)
            details = ", ".join(f"{key} {value:,}" for key, value in figures.items())
            log(f"run {round_ + 1} {name:>10}: {elapsed:7.2f} s  ({details})")
            if name == "scan" and round_ == 0:
                check_sample(args, log)
    if len(checksums) != 1:
        raise SystemExit("the scan and the UPDATE left different item rows")
    log("the scan and the UPDATE leave identical item rows")
    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}_run"')
    log(f"best of {args.repeat}: scan {best['scan']:.2f} s, one UPDATE {best['one UPDATE']:.2f} s"
        f" ({args.items:,} open items)")
    print(f"scan / one UPDATE: {best['scan'] / best['one UPDATE']:.2f}×")


if __name__ == "__main__":
    main()
