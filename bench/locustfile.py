"""The locust scenario of bench/load.py: company, specialist, department and supervisor traffic
(weights 5 : 3 : 2 : 1), and the minimal view for the comparison.

The accounts come from a JSON file that bench/load.py prepares (`BANGBAN_LOAD_ACCOUNTS`):
for each role, sessions already logged in and the case (and item) ids that account may
open. Each simulated user takes one account at random and sends its requests as nginx would
pass them on (`X-Forwarded-Proto: https`), so the production settings apply unchanged.

    uv run locust -f bench/locustfile.py CompanyUser Specialist DepartmentRepresentative \
        Supervisor --headless -u 20 -t 60s --host http://127.0.0.1:8765
    uv run locust -f bench/locustfile.py MinimalUser --headless -u 20 -t 60s --host …
    uv run locust -f bench/locustfile.py LightestPageUser --headless -u 20 -t 60s --host …

Think time between requests: `BANGBAN_LOAD_WAIT` seconds on average, drawn evenly from half
to one and a half times it so that users do not click in step (default 0: each user sends its
next request when the last one is answered, so the run measures the server's capacity).
"""

import json
import os
import random

from locust import FastHttpUser, between, task

ACCOUNTS = {}
if os.environ.get("BANGBAN_LOAD_ACCOUNTS"):
    with open(os.environ["BANGBAN_LOAD_ACCOUNTS"]) as accounts_file:
        ACCOUNTS = json.load(accounts_file)
WAIT = float(os.environ.get("BANGBAN_LOAD_WAIT", "0"))
THINK = between(WAIT / 2, WAIT * 3 / 2)
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}


class Account(FastHttpUser):
    abstract = True
    role = ""
    wait_time = THINK

    def on_start(self):
        self.account = random.choice(ACCOUNTS[self.role])
        cookie = f"{ACCOUNTS['cookie_name']}={self.account['session']}"
        self.headers = {**HEADERS, "Cookie": cookie}

    def page(self, url, name=None):
        # A redirect (to the login page, say) would hide a lost session: it counts as a failure.
        with self.client.get(url, headers=self.headers, name=name or url,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    def case_detail(self):
        self.page(f"/cases/{random.choice(self.account['cases'])}/", name="/cases/[id]/")


class CompanyUser(Account):
    weight = 5
    role = "company"

    @task(3)
    def my_cases(self):
        self.page("/cases/")

    @task(3)
    def detail(self):
        self.case_detail()

    @task(1)
    def notifications(self):
        self.page("/notifications/")


class Specialist(Account):
    weight = 3
    role = "specialist"

    @task(2)
    def workbench(self):
        self.page("/")

    @task(2)
    def case_list(self):
        self.page("/cases/")

    @task(3)
    def detail(self):
        self.case_detail()

    @task(1)
    def item_action_form(self):
        item, action = random.choice(self.account["forms"])
        self.page(f"/cases/items/{item}/actions/{action}/",
                  name=f"/cases/items/[id]/actions/{action}/")


class DepartmentRepresentative(Account):
    weight = 2
    role = "department"

    @task(2)
    def my_items(self):
        self.page("/")

    @task(1)
    def detail(self):
        self.case_detail()


class Supervisor(Account):
    weight = 1
    role = "supervisor"

    @task(1)
    def dashboard(self):
        self.page("/dashboards/")

    @task(2)
    def supervision_list(self):
        self.page("/supervision/")

    @task(1)
    def detail(self):
        self.case_detail()


class LightestPageUser(Account):
    """The lightest page a logged-in user can open (the password form): the site's layout and
    the per-request work every page shares, for what any page of the mix could reach."""

    role = "company"

    @task
    def password_form(self):
        self.page("/accounts/password/")


class MinimalUser(FastHttpUser):
    """The minimal Django view (no database), for the throughput ratio."""

    wait_time = THINK

    @task
    def healthz(self):
        self.client.get("/healthz", headers=HEADERS)
