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
for one decided item in ten. Cases were submitted over the last three years.

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
    clone_sql,
    outside_transaction_sql,
    seeded_row,
    setup_django,
    use_database,
)

CITIES, COUNTIES_PER_CITY = 16, 8
DEPARTMENTS_PER_AGENCY, SPECIALISTS_PER_COUNTY, ITEMS_PER_CASE = 10, 20, 25
SPREAD_DAYS = 3 * 365  # cases were submitted over the last three years
GOAL_MS = 500
# Item states by a hash 0–99 of (case, item): the upper bound of each state's share.
ITEM_STATE_SHARES = (
    (45, "approved"), (48, "refused"), (50, "withdrawn"), (70, "accepted"),
    (75, "supplement_requested"), (82, "pushed"), (88, "reviewed"), (94, "preparing"),
    (100, "planned"),
)
# Case states by case number modulo 20.
CASE_STATE_SHARES = (
    (1, "submitted"), (2, "accepted"), (3, "planned"), (11, "in_progress"), (12, "suspended"),
    (13, "terminated"), (14, "rejected"), (20, "completed"),
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bb_bench_dash")
    parser.add_argument("--reseed", action="store_true")
    return parser.parse_args()


def _shares(column, shares):
    whens = " ".join(f"WHEN {column} < {bound} THEN '{state}'" for bound, state in shares)
    return f"CASE {whens} END"


def seed(args, log):
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from bangban.accounts.models import Agency, Department, DepartmentKind, Membership, Role, User
    from bangban.cases.models import Case, CaseItem
    from bangban.catalog.models import Matter
    from bangban.consultations.models import Consultation
    from bangban.evaluations.models import Evaluation
    from bangban.problems.models import Problem
    from tests.factories import CaseFactory, CaseItemFactory, MatterFactory, UserFactory

    started = time.perf_counter()
    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"')
    use_database(args.database)
    call_command("migrate", verbosity=0)
    log(f"seeding {args.cases:,} cases of {ITEMS_PER_CASE} items")

    with transaction.atomic():
        province = Agency.objects.create(name="省政务服务中心", code="province",
                                         level=Agency.Level.PROVINCE)
        counties = []
        for c in range(CITIES):
            city = Agency.objects.create(name=f"第{c}市", code=f"city{c}", parent=province,
                                         level=Agency.Level.CITY)
            for k in range(COUNTIES_PER_CITY):
                counties.append(Agency.objects.create(
                    name=f"第{c}市第{k}县", code=f"county{c}-{k}", parent=city,
                    level=Agency.Level.COUNTY))
        Department.objects.bulk_create(
            Department(agency=county, name=f"审批局{d}", kind=DepartmentKind.OTHER)
            for county in counties for d in range(DEPARTMENTS_PER_AGENCY))
        departments = {(d.agency_id, d.name): d.pk for d in Department.objects.all()}
        password = make_password("bench")
        User.objects.bulk_create(
            User(username=f"s{county.pk}-{s}", full_name=f"专员{county.pk}-{s}",
                 password=password)
            for county in counties for s in range(SPECIALISTS_PER_COUNTY))
        specialists = {u.username: u.pk for u in User.objects.filter(username__startswith="s")}
        Membership.objects.bulk_create(
            Membership(user_id=specialists[f"s{county.pk}-{s}"], agency=county,
                       role=Role.SPECIALIST)
            for county in counties for s in range(SPECIALISTS_PER_COUNTY))
        supervisor = UserFactory(username="province-supervisor")
        Membership.objects.create(user=supervisor, agency=province, role=Role.SUPERVISOR)
        matters = [MatterFactory(legal_limit=20 + 5 * (j % 3)).pk for j in range(ITEMS_PER_CASE)]
        case = CaseFactory(agency=counties[0], state="in_progress",
                           specialist_id=specialists[f"s{counties[0].pk}-0"])
        item = CaseItemFactory(case=case, matter=Matter.objects.get(pk=matters[0]),
                               department=Department.objects.get(
                                   pk=departments[counties[0].pk, "审批局0"]))
        consultation = Consultation.objects.create(
            agency=counties[0], channel="phone", asked_at=case.created_at, asker_name="王",
            question="?", first_responder=supervisor)
        problem = Problem.objects.create(
            number="P-template", agency=counties[0], case=case, item=item,
            department_id=item.department_id, title="t", description="d",
            requested_outcome="o", raised_by=supervisor, raised_as="specialist",
            raised_at=case.created_at, due_on=case.created_at.date())
        evaluation = Evaluation.objects.create(
            company=case.project.company, case=case, item=item, agency=counties[0],
            rating=1, channel="window", entered_by=supervisor)

    county_ids = "ARRAY[%s]::bigint[]" % ",".join(str(a.pk) for a in counties)
    # Departments and specialists of county i are at 1 + i * per-county + offset.
    department_ids = "ARRAY[%s]::bigint[]" % ",".join(
        str(departments[county.pk, f"审批局{d}"])
        for county in counties for d in range(DEPARTMENTS_PER_AGENCY))
    specialist_ids = "ARRAY[%s]::bigint[]" % ",".join(
        str(specialists[f"s{county.pk}-{s}"])
        for county in counties for s in range(SPECIALISTS_PER_COUNTY))
    n_counties = len(counties)
    project = case.project
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(clone_sql(type(project), project.pk, {
            "name": "'bench-' || n", "agency_id": f"({county_ids})[1 + n % {n_counties}]",
            "is_key_project": "n % 50 = 0",
        }, f"generate_series(1, {args.cases}) AS n"))
        cursor.execute("CREATE TEMP TABLE bench_project AS SELECT id, agency_id, "
                       "substr(name, 7)::int AS n FROM projects_project "
                       "WHERE name LIKE 'bench-%'")
        specialist = (f"({specialist_ids})[1 + (p.n % {n_counties}) * {SPECIALISTS_PER_COUNTY}"
                      f" + (p.n / {n_counties}) % {SPECIALISTS_PER_COUNTY}]")
        submitted = f"now() - ((p.n::bigint * 7919) % {SPREAD_DAYS}) * interval '1 day'"
        cursor.execute(clone_sql(Case, case.pk, {
            "number": "'BB' || lpad(p.n::text, 10, '0')", "project_id": "p.id",
            "agency_id": "p.agency_id", "specialist_id": specialist,
            "state": _shares("p.n % 20", CASE_STATE_SHARES),
            "submitted_at": submitted, "created_at": submitted,
        }, "bench_project AS p"))
        cursor.execute("CREATE TEMP TABLE bench_case AS SELECT c.id, c.agency_id, "
                       "c.specialist_id, c.submitted_at, substr(c.number, 3)::int AS n "
                       "FROM cases_case AS c WHERE c.number LIKE 'BB0%'")
        state = _shares("h.h", ITEM_STATE_SHARES)
        decided = "h.h < 48"
        running = "h.h >= 50 AND h.h < 75"
        cursor.execute(clone_sql(CaseItem, item.pk, {
            "case_id": "c.id", "matter_id": f"(ARRAY{matters}::bigint[])[1 + j]",
            "department_id": f"({department_ids})[1 + (c.n % {n_counties}) * "
                             f"{DEPARTMENTS_PER_AGENCY} + j % {DEPARTMENTS_PER_AGENCY}]",
            "position": "j", "state": state,
            "promised_limit": "10 + (j % 3) * 5", "limit_unit": "'working_day'",
            "due_date": "(c.submitted_at + interval '28 days')::date",
            "accepted_at": "CASE WHEN h.h < 75 AND h.h <> 48 AND h.h <> 49 "
                           "THEN c.submitted_at + interval '2 days' END",
            "decided_at": f"CASE WHEN {decided} THEN c.submitted_at + "
                          "(4 + h.h2 % 35) * interval '1 day' END",
            "days_used": f"CASE WHEN {decided} THEN 2 + h.h2 % 22 END",
            "warning_level": f"CASE WHEN {running} THEN (ARRAY['green','green','green',"
                             "'green','green','green','yellow','yellow','red','red'])"
                             "[1 + h.h2 % 10] ELSE '' END",
        }, f"bench_case AS c CROSS JOIN generate_series(0, {ITEMS_PER_CASE - 1}) AS j "
           "CROSS JOIN LATERAL (SELECT abs(hashtext(c.n || '/' || j)) % 100 AS h, "
           "abs(hashtext(j || ':' || c.n)) AS h2) AS h"))
        cursor.execute(clone_sql(Consultation, consultation.pk, {
            "agency_id": "p.agency_id", "first_responder_id": specialist,
            "asked_at": f"now() - ((p.n::bigint * 104729) % {SPREAD_DAYS}) * interval '1 day'",
            "state": "(ARRAY['open','answered','converted'])[1 + p.n % 3]",
        }, "bench_project AS p"))
        cursor.execute(clone_sql(Problem, problem.pk, {
            "number": "'P' || c.n", "agency_id": "c.agency_id", "case_id": "c.id",
            "item_id": "NULL", "department_id": f"({department_ids})"
                                                f"[1 + (c.n % {n_counties}) * "
                                                f"{DEPARTMENTS_PER_AGENCY}]",
            "raised_at": "c.submitted_at + interval '10 days'",
            "due_on": "(c.submitted_at + interval '15 days')::date",
            "level": "1 + c.n % 4",
            "state": "(ARRAY['open','answered','relayed','closed'])[1 + (c.n / 5) % 4]",
        }, "(SELECT * FROM bench_case WHERE n % 5 = 0) AS c"))
        cursor.execute(clone_sql(Evaluation, evaluation.pk, {
            "case_id": "i.case_id", "item_id": "i.id", "agency_id": "i.case_agency_id",
            "specialist_id": "i.specialist_id", "department_id": "i.department_id",
            "rating": "1 + i.id % 5", "rated_at": "i.decided_at + interval '2 days'",
        }, "(SELECT i.*, c.agency_id AS case_agency_id, c.specialist_id FROM cases_caseitem "
           "AS i JOIN bench_case AS c ON c.id = i.case_id "
           "WHERE i.state = 'approved' AND i.id % 10 = 0) AS i"))
        for model, pk in ((Evaluation, evaluation.pk), (Problem, problem.pk),
                          (Consultation, consultation.pk), (CaseItem, item.pk)):
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE id = {int(pk)}')
        # The template case stays as a draft, which no dashboard counts.
        cursor.execute(f"UPDATE cases_case SET state = 'draft' WHERE id = {int(case.pk)}")
        cursor.execute("SELECT count(*) FROM cases_caseitem")
        (count,) = cursor.fetchone()
    if count != args.cases * ITEMS_PER_CASE:
        raise SystemExit(f"seeded {count} items, expected {args.cases * ITEMS_PER_CASE}")
    outside_transaction_sql("VACUUM ANALYZE")
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
