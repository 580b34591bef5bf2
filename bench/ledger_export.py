"""Benchmark: `manage.py export_ledger` over a ledger of 100,000 cases on PostgreSQL — rows
per second and peak memory (goals ≥ 20,000 rows/s, ≤ 300 MB).

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres):

    uv run python bench/ledger_export.py                  # 100,000 cases, ~1.75 M items
    uv run python bench/ledger_export.py --cases 20000 --repeat 1

It builds a seed database once (`--database`, reused while it holds `--cases` cases;
`--reseed` builds it again): 10 agencies with 10 departments and 50 specialists each, and
`--cases` cases of 10–25 items each (a deterministic mix of case states — in progress,
planned, completed, terminated — and item states: approved with a result number and the days
used, refused, accepted with a due date and a warning light, waiting for a supplement,
planned). The export only reads, so every run uses the seed itself.

Each run starts `manage.py export_ledger --out FILE.xlsx` as a child process and measures its
wall time and, from `os.wait4`, its peak resident memory. The command reports the seconds
spent on each sheet, so the script prints case rows per second (sheet 1 alone), item rows per
second (sheet 2 alone) and rows per second over the whole run (case + item rows divided by
the child's wall time, Python's start-up and the zip assembly included), then the ratios to
the goals on the last lines:

    case rows/s / goal: 2.1×   total rows/s / goal: 1.4×   peak MB / limit: 0.31×
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from warning_rescan import (  # noqa: E402  (bench/ is the script's own directory)
    admin_sql,
    clone_sql,
    outside_transaction_sql,
    seeded_row,
    setup_django,
    use_database,
)

AGENCIES, DEPARTMENTS_PER_AGENCY, SPECIALISTS_PER_AGENCY = 10, 10, 50
MIN_ITEMS, MAX_ITEMS = 10, 25
GOAL_ROWS_PER_SECOND, LIMIT_MB = 20_000, 300


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs (best counts)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bb_bench_ledger")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the last XLSX file here")
    return parser.parse_args()


# ------------------------------------------------------------------------------ the seed


def seed(args, log):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bangban.accounts.models import Role
    from bangban.cases.models import Case, CaseItem
    from bangban.cases.workflow import ItemState
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
    log(f"seeding {args.cases:,} cases of {MIN_ITEMS}–{MAX_ITEMS} items")
    with transaction.atomic():
        agencies = [AgencyFactory() for _ in range(AGENCIES)]
        departments, specialists = [], []
        for agency in agencies:
            for _ in range(DEPARTMENTS_PER_AGENCY):
                departments.append(DepartmentFactory(agency=agency).pk)
            for _ in range(SPECIALISTS_PER_AGENCY):
                specialist = UserFactory(email="")
                MembershipFactory(agency=agency, user=specialist, role=Role.SPECIALIST)
                specialists.append(specialist.pk)
        matters = [MatterFactory().pk for _ in range(MAX_ITEMS)]
        contact = CompanyContactFactory()
        project = ProjectFactory(company=contact.company, agency=agencies[0])
        case = CaseFactory(agency=agencies[0], project=project, company_contact=contact,
                           in_progress=True, submitted_at=timezone.now())
        item = CaseItemFactory(case=case, matter_id=matters[0], department_id=departments[0])

    agency_ids = "ARRAY[%s]::bigint[]" % ",".join(str(a.pk) for a in agencies)
    tz = timezone.get_current_timezone_name()
    day = "(date '2025-01-01' + (c.n % 600))"  # the case's day of submission
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(clone_sql(Project, project.pk, {
            "name": "'bench-' || n", "agency_id": f"({agency_ids})[1 + n % {AGENCIES}]",
            "is_key_project": "n % 50 = 0",
        }, f"generate_series(1, {args.cases}) AS n"))
        cursor.execute("CREATE TEMP TABLE bench_project AS SELECT id, "
                       "substr(name, 7)::int AS n FROM projects_project "
                       "WHERE name LIKE 'bench-%'")
        case_state = ("(ARRAY['in_progress','in_progress','in_progress','in_progress',"
                      "'in_progress','in_progress','completed','completed','terminated',"
                      "'planned'])[1 + c.n % 10]")
        cursor.execute(clone_sql(Case, case.pk, {
            "number": "'BB' || lpad(c.n::text, 10, '0')", "project_id": "c.id",
            "agency_id": f"({agency_ids})[1 + c.n % {AGENCIES}]",
            "specialist_id": f"(ARRAY{specialists}::bigint[])"
                             f"[1 + (c.n % {AGENCIES}) * {SPECIALISTS_PER_AGENCY}"
                             f" + (c.n / {AGENCIES}) % {SPECIALISTS_PER_AGENCY}]",
            "state": case_state,
            "mode": "CASE WHEN c.n % 3 = 0 THEN 'agent' ELSE 'assist' END",
            "submitted_at": f"({day} + time '09:30') AT TIME ZONE '{tz}'",
            "decided_at": f"({day} + 2 + time '15:00') AT TIME ZONE '{tz}'",
            "plan_published_at": f"({day} + 9 + time '11:00') AT TIME ZONE '{tz}'",
            "target_completion_date": f"{day} + 120",
            "completed_at": f"CASE WHEN {case_state} = 'completed' THEN "
                            f"({day} + 100 + time '16:00') AT TIME ZONE '{tz}' END",
        }, "bench_project AS c"))
        cursor.execute("CREATE TEMP TABLE bench_case AS SELECT id, "
                       "substr(number, 3)::int AS n FROM cases_case WHERE number LIKE 'BB0%'")
        # Item j of case c; h picks its state, g its light, both hashes of (c, j).
        h = "abs(hashtext(c.n || ':' || j)) % 10"
        g = "abs(hashtext(j || '/' || c.n)) % 3"
        decided = f"{h} <= 4 OR {h} = 9"
        cursor.execute(clone_sql(CaseItem, item.pk, {
            "case_id": "c.id", "matter_id": f"(ARRAY{matters}::bigint[])[1 + j]",
            "department_id": f"(ARRAY{departments}::bigint[])"
                             f"[1 + (c.n % {AGENCIES}) * {DEPARTMENTS_PER_AGENCY}"
                             f" + j % {DEPARTMENTS_PER_AGENCY}]",
            "position": "j",
            "state": f"(ARRAY['{ItemState.APPROVED}','{ItemState.APPROVED}',"
                     f"'{ItemState.APPROVED}','{ItemState.APPROVED}','{ItemState.APPROVED}',"
                     f"'{ItemState.ACCEPTED}','{ItemState.ACCEPTED}',"
                     f"'{ItemState.SUPPLEMENT_REQUESTED}','{ItemState.PLANNED}',"
                     f"'{ItemState.REFUSED}'])[1 + {h}]",
            "promised_limit": "5 + 5 * (j % 4)",
            "pushed_at": f"CASE WHEN {h} <= 7 OR {h} = 9 THEN "
                         f"({day} + 10 + j + time '09:00') AT TIME ZONE '{tz}' END",
            "accepted_at": f"CASE WHEN {h} <= 7 OR {h} = 9 THEN "
                           f"({day} + 11 + j + time '10:00') AT TIME ZONE '{tz}' END",
            "decided_at": f"CASE WHEN {decided} THEN "
                          f"({day} + 20 + j + time '16:00') AT TIME ZONE '{tz}' END",
            "due_date": f"CASE WHEN {h} <= 7 OR {h} = 9 THEN {day} + 18 + j END",
            "days_used": f"CASE WHEN {decided} THEN 1 + (c.n + j) % (7 + 5 * (j % 4)) END",
            "warning_level": f"CASE WHEN {h} IN (5, 6, 7) THEN "
                             f"(ARRAY['green','yellow','red'])[1 + {g}] ELSE '' END",
            "result_number": f"CASE WHEN {h} <= 4 THEN 'R' || c.n || '-' || j ELSE '' END",
        }, f"bench_case AS c CROSS JOIN LATERAL generate_series(0, "
           f"{MIN_ITEMS - 1} + abs(hashtext('n' || c.n)) % {MAX_ITEMS - MIN_ITEMS + 1}) AS j"))
        cursor.execute(f"DELETE FROM cases_caseitem WHERE id = {int(item.pk)}")
        cursor.execute(f"DELETE FROM cases_case WHERE id = {int(case.pk)}")
    outside_transaction_sql("VACUUM ANALYZE")
    log(f"seeded in {time.perf_counter() - started:.0f} s")


def seeded_counts(args):
    return seeded_row(args.database, "SELECT (SELECT count(*) FROM cases_case), "
                                     "(SELECT count(*) FROM cases_caseitem)") or (0, 0)


# ------------------------------------------------------------------------------ the runs

LINE = re.compile(r"^(\w+): (\d+) rows in ([\d.]+) s$")


def run_export(args, out):
    """(wall seconds, peak RSS in MB, {sheet: (rows, seconds)}) of one export_ledger run."""
    env = {**os.environ, "DATABASE_URL": f"{args.server}/{args.database}",
           "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "export_ledger",
                              "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             text=True)
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"export_ledger failed ({child.returncode}):\n{output}")
    sheets = {}
    for line in output.splitlines():
        match = LINE.match(line.strip())
        if match:
            sheets[match[1]] = (int(match[2]), float(match[3]))
    return elapsed, usage.ru_maxrss / 1024, sheets


def main():
    args = parse_args()
    setup_django(f"{args.server}/{args.database}")

    def log(text):
        print(text, flush=True)

    cases, items = seeded_counts(args)
    if args.reseed or cases != args.cases:
        seed(args, log)
        cases, items = seeded_counts(args)
    else:
        log(f"reusing the seed database {args.database}")
    log(f"{cases:,} cases, {items:,} items")
    from django.db import connection

    connection.close()
    best = None
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "ledger.xlsx"
        for number in range(args.repeat):
            elapsed, peak, sheets = run_export(args, out)
            case_rows, case_seconds = sheets["cases"]
            item_rows, item_seconds = sheets["items"]
            if (case_rows, item_rows) != (cases, items):
                raise SystemExit(f"wrote {case_rows} cases and {item_rows} items, expected "
                                 f"{cases} and {items}")
            figures = {
                "wall": elapsed, "peak": peak, "size": out.stat().st_size / 2**20,
                "case_rate": case_rows / case_seconds, "item_rate": item_rows / item_seconds,
                "total_rate": (case_rows + item_rows) / elapsed,
                "assemble": sheets["assemble"][1],
            }
            log(f"run {number + 1}: {elapsed:.1f} s wall, peak {peak:.0f} MB, "
                f"file {figures['size']:.0f} MB; cases sheet {case_seconds:.1f} s "
                f"({figures['case_rate']:,.0f} rows/s), items sheet {item_seconds:.1f} s "
                f"({figures['item_rate']:,.0f} rows/s), zip {figures['assemble']:.1f} s; "
                f"total {figures['total_rate']:,.0f} rows/s")
            if best is None or elapsed < best["wall"]:
                best = figures
            if args.keep and number == args.repeat - 1:
                args.keep.write_bytes(out.read_bytes())
    log(f"best run: case rows {best['case_rate']:,.0f}/s, item rows {best['item_rate']:,.0f}/s, "
        f"all rows {best['total_rate']:,.0f}/s ({cases + items:,} rows in "
        f"{best['wall']:.1f} s), peak {best['peak']:.0f} MB")
    print(f"case rows/s / goal: {best['case_rate'] / GOAL_ROWS_PER_SECOND:.2f}×   "
          f"total rows/s / goal: {best['total_rate'] / GOAL_ROWS_PER_SECOND:.2f}×   "
          f"peak MB / limit: {best['peak'] / LIMIT_MB:.2f}×")


if __name__ == "__main__":
    main()
