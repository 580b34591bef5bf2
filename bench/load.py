"""Load test: the mixed traffic of bench/locustfile.py against gunicorn and PostgreSQL, at 20
and 100 users, against the minimal Django view (`/healthz`) measured the same way; with flags,
a PostgreSQL restart mid-run and a worker killed mid-job.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres):

    uv run python bench/load.py                           # 60 s per run, 20 and 100 users
    uv run python bench/load.py --duration 300 --users 20 --pace paced   # 5 minutes' errors
    uv run python bench/load.py --restart-postgres --kill-worker --users 20

The database (`--database`, default bb_h_scale) must hold the province dataset of
`manage.py generate_province_data`; with `--generate` the script creates and fills it first
(about two minutes at full scale). It starts gunicorn (`--web-workers` processes, sync
workers) with the production settings on 127.0.0.1:`--port` and one `manage.py run_worker`,
logs in `--accounts` accounts per role (sessions prepared in the database, as a login would
leave them) and runs locust headless for `--duration` seconds per run, four runs per user
count: MinimalUser (the minimal view: no session, no database) and the mix, first flat out
(each user sends its next request when the last is answered: the server's capacity), then
paced by `--think` seconds between a user's requests (people reading a page before the next
click: the latency they see), after `--warmup` seconds of the mix that are not counted.
Flat out, a fifth run requests the lightest page a logged-in user can open (the password
form: the layout and the work every page shares), the most any page of the mix could reach.
For each run it prints requests per second, p50/p95 latency and errors, then the goals as
ratios for both pacings.

`--restart-postgres` restarts the server (`pg_ctlcluster … restart`) a third of the way
into a 20-user run of the mix: requests in flight fail with the 503 page (never a 500), and a
recovery run right after must be free of errors. `--kill-worker` queues an export of every
case for the province's supervisor, kills the worker (SIGKILL) while it writes, checks that
the job is still held (not lost, not failed), starts a new worker, ends the dead worker's
lease early (it is `EXPORT_LEASE_SECONDS`, 5 minutes) and waits for the export to finish.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from warning_rescan import admin_sql, database_exists, setup_django, use_database  # noqa: E402

MIX = ["CompanyUser", "Specialist", "DepartmentRepresentative", "Supervisor"]
SECRET = "bench-load-not-secret"
RESTART = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart"
GOAL_P95_MS, GOAL_RATIO = 200, 0.40


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="20,100", help="comma-separated user counts")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--think", type=float, default=1.0,
                        help="think time between a user's requests in the paced runs (s)")
    parser.add_argument("--pace", choices=["both", "flat", "paced"], default="both",
                        help="flat out, paced by --think, or both (default)")
    parser.add_argument("--warmup", type=int, default=30,
                        help="seconds of the mix before the measured runs, not counted")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--accounts", type=int, default=100, help="accounts per role")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bb_h_scale")
    parser.add_argument("--generate", type=float, metavar="SCALE",
                        help="create the database and generate the dataset at SCALE first")
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--skip-load", action="store_true",
                        help="only the resilience checks that were asked for")
    return parser.parse_args()


def log(text):
    print(text, flush=True)


def child_environment(args):
    return {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SECRET, "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }


def start(command, args, logfile):
    return subprocess.Popen(command, cwd=ROOT, env=child_environment(args),
                            stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(url, cookie=None, timeout=30):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https",
                                                   **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:  # refused, reset, timed out
        return None, b""


def wait_until_up(base, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if get(f"{base}/healthz", timeout=10)[0] == 200:
            return
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz")


def generate(args):
    from django.core.management import call_command

    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"', f'CREATE DATABASE "{args.database}"')
    use_database(args.database)
    call_command("migrate", verbosity=0)
    call_command("generate_province_data", scale=args.generate)


def prepare_accounts(args, path):
    """Logged-in sessions per role and the ids each account may open (bench/locustfile.py)."""
    from django.conf import settings
    from django.test import Client

    from bangban.accounts.models import Membership, Role, User
    from bangban.accounts.permissions import case_roles
    from bangban.cases.models import Case, CaseItem
    from bangban.cases.workflow import item_actions_for

    def session(user):
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    def sample(queryset, n):
        return list(queryset.order_by("?")[:n])

    cases = Case.objects.filter(number__startswith="BB").exclude(state="draft")
    accounts = {"cookie_name": settings.SESSION_COOKIE_NAME, "company": [], "specialist": [],
                "department": [], "supervisor": []}
    for user in sample(User.objects.filter(username__startswith="gen-u",
                                           username__endswith="-0"), args.accounts):
        ids = list(cases.filter(company_contact__user=user).values_list("pk", flat=True))
        if ids:
            accounts["company"].append({"session": session(user), "cases": ids})
    for user in sample(User.objects.filter(memberships__role=Role.SPECIALIST,
                                           username__startswith="gen-s"), args.accounts):
        mine = cases.filter(specialist=user)
        forms = []
        for item in CaseItem.objects.filter(case__in=mine.filter(state="in_progress"),
                                            state__in=["preparing", "reviewed"]
                                            ).select_related("case")[:20]:
            actions = item_actions_for(item.state, item.case.state, case_roles(user, item.case))
            forms += [(item.pk, action.name) for action in actions
                      if action.name in ("pass_review", "push")]
        ids = list(mine.values_list("pk", flat=True)[:50])
        if ids and forms:
            accounts["specialist"].append({"session": session(user), "cases": ids,
                                           "forms": forms})
    for membership in sample(Membership.objects.filter(
            role=Role.DEPARTMENT_REPRESENTATIVE, user__username__startswith="gen-d"),
            args.accounts):
        ids = list(cases.filter(items__department=membership.department_id,
                                items__state__in=["pushed", "accepted"]
                                ).values_list("pk", flat=True).distinct()[:50])
        if ids:
            accounts["department"].append({"session": session(membership.user), "cases": ids})
    for membership in Membership.objects.filter(role=Role.SUPERVISOR).select_related(
            "agency", "user")[:args.accounts]:
        ids = list(cases.filter(agency__path__startswith=membership.agency.path)
                   .order_by("?").values_list("pk", flat=True)[:50])
        accounts["supervisor"].append({"session": session(membership.user), "cases": ids})
    path.write_text(json.dumps(accounts))
    log("accounts: " + ", ".join(f"{role} {len(accounts[role])}"
                                 for role in ("company", "specialist", "department",
                                              "supervisor")))
    return accounts


def check_pages(base, accounts):
    """One request per page and role before the load, so a broken page stops the run."""
    cookie_name = accounts["cookie_name"]
    pages = {"company": ["/cases/", "/notifications/"], "specialist": ["/", "/cases/"],
             "department": ["/"], "supervisor": ["/dashboards/", "/supervision/"]}
    for role, urls in pages.items():
        account = accounts[role][0]
        for url in [*urls, f"/cases/{account['cases'][0]}/"]:
            started = time.monotonic()
            status, _body = get(base + url, f"{cookie_name}={account['session']}", timeout=120)
            if status != 200:
                raise SystemExit(f"{role} {url}: status {status}")
            log(f"checked {role:>10} {url:<24} {(time.monotonic() - started) * 1000:6.0f} ms")


def run_locust(args, base, classes, users, duration, workdir, wait=0.0):
    prefix = workdir / f"{classes[0]}-{users}-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
               *classes, "--headless", "-u", str(users), "-r", str(users), "-t", f"{duration}s",
               "--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
               "--loglevel", "ERROR", "--exit-code-on-error", "0"]
    env = {**os.environ, "BANGBAN_LOAD_ACCOUNTS": str(workdir / "accounts.json"),
           "BANGBAN_LOAD_WAIT": str(wait)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL), prefix


def results(prefix):
    with open(f"{prefix}_stats.csv") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv") as failures:
        errors = {f"{row['Method']} {row['Name']}: {row['Error']}": int(row["Occurrences"])
                  for row in csv.DictReader(failures)}
    return {"rps": float(total["Requests/s"]), "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]), "p50": float(total["50%"]),
            "p95": float(total["95%"]), "errors": errors}


def measure(args, base, classes, users, duration, workdir, wait=0.0):
    process, prefix = run_locust(args, base, classes, users, duration, workdir, wait)
    process.wait()
    return results(prefix)


def describe(name, users, r):
    return (f"{name:>12} {users:4d} users: {r['rps']:8.1f} req/s, p50 {r['p50']:6.0f} ms, "
            f"p95 {r['p95']:6.0f} ms, {r['requests']:,} requests, {r['failures']} errors")


def paces(args):
    both = [("flat out", 0.0), (f"{args.think:g} s think", args.think)]
    return {"both": both, "flat": both[:1], "paced": both[1:]}[args.pace]


def load(args, base, workdir):
    """For each user count, the minimal view and the mix: flat out (each user sends its next
    request when the last is answered: the server's capacity), then paced by `--think` seconds
    between a user's requests (people reading the page: the latency they see)."""
    figures = {}
    for users in [int(u) for u in args.users.split(",")]:
        runs = {}
        for pace, wait in paces(args):
            kinds = [("minimal view", ["MinimalUser"]), ("mix", MIX)]
            if not wait:
                kinds.insert(1, ("lightest page", ["LightestPageUser"]))
            for name, classes in kinds:
                run = measure(args, base, classes, users, args.duration, workdir, wait=wait)
                log(describe(f"{name}, {pace}", users, run))
                for error, count in run["errors"].items():
                    log(f"      {count:6d} × {error}")
                runs[name, wait] = run
        figures[users] = runs
    for users, runs in figures.items():
        for _pace, wait in paces(args):
            minimal, mix = runs["minimal view", wait], runs["mix", wait]
            ratio = mix["rps"] / minimal["rps"] if minimal["rps"] else 0
            if ("lightest page", wait) in runs:
                lightest = runs["lightest page", wait]["rps"] / minimal["rps"]
                log(f"{users:4d} users, think time {wait:g} s: lightest page / minimal view "
                    f"throughput {lightest:.0%}: the most any page with the layout can reach")
            log(f"{users:4d} users, think time {wait:g} s: mix / minimal view throughput "
                f"{ratio:.0%} (goal ≥ {GOAL_RATIO:.0%}: {ratio / GOAL_RATIO:.2f}×); mix p95 "
                f"{mix['p95']:.0f} ms (goal ≤ {GOAL_P95_MS} ms at 20 users: "
                f"{mix['p95'] / GOAL_P95_MS:.2f}×); errors {mix['failures']}")


def restart_postgres(args, base, workdir, accounts):
    """A 20-user run of the mix with a PostgreSQL restart a third of the way in."""
    duration = max(args.duration, 30)
    process, prefix = run_locust(args, base, MIX, 20, duration, workdir)
    time.sleep(duration / 3)
    seen = {}
    stop_probe = threading.Event()
    account = accounts["specialist"][0]

    def probe():
        # A page request every 50 ms through the restart: what does a user see meanwhile?
        while not stop_probe.is_set():
            status, body = get(f"{base}/cases/",
                               f"{accounts['cookie_name']}={account['session']}")
            if status not in seen:
                seen[status] = body
            time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    started = time.monotonic()
    log(f"restarting PostgreSQL at {time.strftime('%H:%M:%S', time.gmtime())} UTC")
    subprocess.run(RESTART, shell=True, check=True)
    log(f"PostgreSQL restarted in {time.monotonic() - started:.1f} s")
    process.wait()
    stop_probe.set()
    prober.join()
    r = results(prefix)
    log(describe("restart run", 20, r))
    for error, count in r["errors"].items():
        log(f"      {count:6d} × {error}")
    for status, body in sorted(seen.items(), key=lambda pair: str(pair[0])):
        page = "the 503 page" if b"bb-error-page" in body and status == 503 else \
            ("a stack trace!" if b"Traceback" in body else f"{len(body)} bytes")
        log(f"probe saw status {status}: {page}")
    unclean = [e for e in r["errors"] if "503" not in e]
    log(f"failures other than 503 during the restart: {sum(r['errors'][e] for e in unclean)}")
    recovery = measure(args, base, MIX, 20, 20, workdir)
    log(describe("recovery", 20, recovery))
    log("recovered unattended" if recovery["failures"] == 0 else "NOT recovered")


def kill_worker(args, worker, workdir):
    """Kills the worker while it writes an export; a new worker must finish the job."""
    from django.db import connection
    from django.utils import timezone

    from bangban.accounts.models import User
    from bangban.reporting import services
    from bangban.reporting.models import ExportJob, ExportState

    connection.close()
    job = services.request_export(by=User.objects.get(username="province-supervisor"),
                                  table="cases", params={}, language="en")
    log(f"queued export {job.pk} of {job.rows_total:,} cases")
    deadline = time.monotonic() + 300
    while True:
        job.refresh_from_db()
        if job.state == ExportState.RUNNING:
            break
        if time.monotonic() > deadline or job.state != ExportState.QUEUED and \
                job.state != ExportState.RUNNING:
            raise SystemExit(f"the export did not start ({job.state})")
        time.sleep(0.05)
    time.sleep(1)  # well into the writing
    stop(worker, signal.SIGKILL)
    job.refresh_from_db()
    log(f"killed the worker (SIGKILL) at {job.rows_done:,} of {job.rows_total:,} rows; "
        f"the job is {job.state}, its lease runs to {job.claimed_until:%H:%M:%S}")
    if job.state != ExportState.RUNNING:
        raise SystemExit("the job was not left held by the dead worker")
    with open(workdir / "worker2.log", "w") as worker_log:
        worker = start([sys.executable, "manage.py", "run_worker"], args, worker_log)
    # The lease is EXPORT_LEASE_SECONDS (5 minutes); end it now instead of waiting.
    ExportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now())
    started = time.monotonic()
    while job.state in (ExportState.RUNNING, ExportState.QUEUED):
        if time.monotonic() - started > 900:
            raise SystemExit("the new worker did not finish the export")
        time.sleep(1)
        job.refresh_from_db()
    log(f"new worker: export {job.state} after {time.monotonic() - started:.0f} s, "
        f"{job.rows_done:,} of {job.rows_total:,} rows, attempts {job.attempts}")
    if job.state != ExportState.DONE or job.rows_done != job.rows_total:
        raise SystemExit("the export was lost")
    log("nothing lost: the killed worker's export was written by the next worker")
    return worker


def main():
    args = parse_args()
    os.environ["DJANGO_SECRET_KEY"] = SECRET  # the sessions must be valid on the server
    setup_django(f"{args.server}/{args.database}")
    if args.generate:
        generate(args)
    elif not database_exists(args.database):
        raise SystemExit(f"no database {args.database}: run with --generate 1")
    use_database(args.database)
    base = f"http://127.0.0.1:{args.port}"
    workdir = Path(tempfile.mkdtemp(prefix="bangban-load-"))
    accounts = prepare_accounts(args, workdir / "accounts.json")
    with open(workdir / "web.log", "w") as web_log, open(workdir / "worker.log", "w") as w_log:
        web = start([sys.executable, "-m", "gunicorn", "config.wsgi", "--workers",
                     str(args.web_workers), "--bind", f"127.0.0.1:{args.port}",
                     "--timeout", "60", "--preload"], args, web_log)
        worker = start([sys.executable, "manage.py", "run_worker"], args, w_log)
    try:
        wait_until_up(base)
        check_pages(base, accounts)
        log(f"gunicorn: {args.web_workers} workers on {base}, one run_worker; "
            f"{args.duration} s per run; logs in {workdir}")
        if not args.skip_load:
            if args.warmup:
                # A server that has been running has PostgreSQL's buffers filled and each
                # process's statements prepared; a cold start would weigh on the first run.
                warm = measure(args, base, MIX, 20, args.warmup, workdir)
                log(describe("warm-up", 20, warm))
            load(args, base, workdir)
        if args.restart_postgres:
            restart_postgres(args, base, workdir, accounts)
        if args.kill_worker:
            worker = kill_worker(args, worker, workdir)
    finally:
        stop(web)
        stop(worker)


if __name__ == "__main__":
    main()
