"""Benchmark: the agency dashboard of a province (100,000 projects, 2,500,000 items) on
PostgreSQL — the server's time to answer the page, against a goal of 500 ms.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres):

    uv run python bench/dashboard.py                      # 100,000 cases of 25 items
    uv run python bench/dashboard.py --cases 10000 --repeat 3

It builds a seed database once (`--database`, reused while it holds `--cases` cases;
`--reseed` builds it again): a province with 16 cities of 8 counties each (145 agencies), 10
departments and 20 specialists per county, 100,000 projects (one in fifty a key project) with
one case each, 25 items per case (2,500,000) in every state, with running clocks, decisions,
days used and due dates; one consultation per project, a problem for one case in five, a rating
for one decided item in ten. Cases were submitted over the last three years. The seed is the
dataset of `manage.py generate_province_data` (`bangban/core/province_data.py`) at the scale
`--cases` / 100,000, which also gives each department two representatives and the projects
to 25,000 companies with two contact accounts each.

Each run copies the seed (CREATE DATABASE … TEMPLATE), applies the project's migrations to the
copy (so a new index counts without reseeding; on a seed older than the dashboard's tallies,
their migration counts them there from the items), and asks for the dashboard as the
province's supervisor through Django's test client — middleware, queries and templates
included — once to warm up, then `--repeat` times for each page: this year (the default),
this month, all time, this year narrowed to one department (counted from the items: the
tallies are per case) and a list behind a number. Then it checks that the tallies agree with
a recount from the items. The last lines are the best times of the default page and of all
time against the goal:

    dashboard (this year) / 500 ms goal: 0.79×
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warning_rescan import (  # noqa: E402  (bench/ is the script's own directory)
    admin_sql,
    seeded_row,
    setup_django,
    use_database,
)

GOAL_MS = 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bb_bench_dash")
    parser.add_argument("--reseed", action="store_true")
    return parser.parse_args()


def seed(args, log):
    from django.core.management import call_command

    from bangban.core.province_data import PROJECTS, generate

    started = time.perf_counter()
    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"')
    use_database(args.database)
    call_command("migrate", verbosity=0)
    generate(scale=args.cases / PROJECTS, log=log)
    log(f"seeded in {time.perf_counter() - started:.0f} s")


def seeded_cases(args):
    row = seeded_row(args.database, "SELECT count(*) FROM cases_case WHERE number LIKE 'BB0%'")
    return row[0] if row else 0


def fresh_copy(args, log):
    from django.core.management import call_command
    from django.db import connection

    run = f"{args.database}_run"
    use_database("postgres")
    admin_sql(f'DROP DATABASE IF EXISTS "{run}"',
              f'CREATE DATABASE "{run}" TEMPLATE "{args.database}"')
    use_database(run)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"copied the seed to {run} and migrated it ({time.perf_counter() - started:.0f} s)")


def timed_page(client, url, repeat):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: caches, connections, the planner's statistics
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.append(time.perf_counter() - started)
    return min(times) * 1000, sorted(times)[len(times) // 2] * 1000, len(queries)


def main():
    args = parse_args()
    setup_django(f"{args.server}/{args.database}")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def log(text):
        print(text, flush=True)

    if args.reseed or seeded_cases(args) != args.cases:
        seed(args, log)
    else:
        log(f"reusing the seed database {args.database} ({args.cases:,} cases)")
    fresh_copy(args, log)

    from django.test import Client
    from django.urls import reverse

    from bangban.accounts.models import Department, User
    from bangban.cases.models import CaseItem
    from bangban.dashboards.tallies import recount_tallies

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username="province-supervisor"))
    log(f"{CaseItem.objects.count():,} items; the province's supervisor asks for the page, "
        f"best and median of {args.repeat} after one warm-up:")
    dashboard = reverse("dashboards:dashboard")
    pages = [
        ("dashboard (this year)", f"{dashboard}?period=year"),
        ("dashboard (this month)", f"{dashboard}?period=month"),
        ("dashboard (all time)", f"{dashboard}?period=all"),
        ("dashboard (this year, one department)",
         f"{dashboard}?period=year&department={Department.objects.order_by('pk').first().pk}"),
        ("list behind a number (red items, all time)",
         reverse("dashboards:list", args=["items", "warning.red"]) + "?period=all"),
    ]
    best = {}
    for name, url in pages:
        fastest, median, queries = timed_page(client, url, args.repeat)
        best[name] = fastest
        log(f"{name:>44}: best {fastest:7.0f} ms, median {median:7.0f} ms, {queries} queries")
    started = time.perf_counter()
    wrong = recount_tallies()
    log(f"tallies against a recount from the items: {len(wrong)} rows differ "
        f"({time.perf_counter() - started:.0f} s)")
    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}_run"')
    for name in ("dashboard (this year)", "dashboard (all time)"):
        print(f"{name} / {GOAL_MS} ms goal: {best[name] / GOAL_MS:.2f}×")


if __name__ == "__main__":
    main()
