"""Benchmark: `manage.py export_ledger` over a ledger of 100,000 cases on PostgreSQL — rows
per second and peak memory (goals ≥ 20,000 rows/s, ≤ 300 MB).

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres):

    uv run python bench/ledger_export.py                  # 100,000 cases, 2.5 M items
    uv run python bench/ledger_export.py --cases 20000 --repeat 1

It builds a seed database once (`--database`, reused while its ledger holds `--cases` cases;
`--reseed` builds it again) with the dataset of `manage.py generate_province_data`
(`bangban/core/province_data.py`) at the scale `--cases` / 100,000: a province of 145
agencies, `--cases` projects with one case each in every state but draft, 25 items per case
in every state (approved with the days used, refused, running with due dates and warning
lights, waiting for a supplement, planned…). The export only reads, so every run uses the
seed itself.

Each run starts `manage.py export_ledger --out FILE.xlsx` as a child process and measures its
wall time and, from `os.wait4`, its peak resident memory. The command reports the seconds
spent on each sheet, so the script prints case rows per second (sheet 1 alone), item rows per
second (sheet 2 and the further item sheets past a million rows) and rows per second over the
whole run (case + item rows divided by the child's wall time, Python's start-up and the zip
assembly included), then the ratios to the goals on the last lines:

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
    seeded_row,
    setup_django,
    use_database,
)

GOAL_ROWS_PER_SECOND, LIMIT_MB = 20_000, 300


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs (best counts)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bb_bench_ledger")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the last XLSX file here")
    args = parser.parse_args()
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    return args


# ------------------------------------------------------------------------------ the seed


def seed(args, log):
    from django.core.management import call_command

    from bangban.core.province_data import PROJECTS, generate

    started = time.perf_counter()
    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"')
    use_database(args.database)
    call_command("migrate", verbosity=0)
    generate(scale=args.cases / PROJECTS, log=log)
    log(f"seeded in {time.perf_counter() - started:.0f} s")


def seeded_counts(args):
    """(cases, items) of the ledger in the seed, (0, 0) unless it holds the province dataset.
    The generator leaves its template case as a draft, which the ledger leaves out."""
    from bangban.core.province_data import PROVINCE_CODE

    row = seeded_row(args.database, f"""
        SELECT EXISTS (SELECT 1 FROM accounts_agency WHERE code = '{PROVINCE_CODE}'),
               (SELECT count(*) FROM cases_case WHERE state <> 'draft'),
               (SELECT count(*) FROM cases_caseitem AS i JOIN cases_case AS c
                ON c.id = i.case_id WHERE c.state <> 'draft')""")
    return row[1:] if row and row[0] else (0, 0)


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
