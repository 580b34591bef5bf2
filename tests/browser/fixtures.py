"""Browser-test fixtures: Playwright's sync API driving Debian's Chromium (/usr/bin/chromium).

Registered for the whole test suite from the root `conftest.py` (`pytest_plugins`), so every
test module, under `tests/` or under `bangban/`, gets the same fixtures without importing
them, and one run starts one Playwright and one Chromium however many modules use them.

Playwright's own browser downloads are never used (no internet on the build machines); the
Python package only needs its bundled node driver. Mark tests `@pytest.mark.browser` and use
pytest-django's `live_server`:

    from tests.browser.fixtures import log_in, screenshot

    @pytest.mark.browser
    @pytest.mark.django_db(transaction=True)
    def test_something(live_server, browser_page):
        log_in(browser_page, live_server, user, via_form=True)
        screenshot(browser_page, "workbench")

`new_page()` opens one more page in its own context (its own cookies), for tests where
several users act in turn.
"""

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEFAULT_TIMEOUT_MS = 10_000
# The password every `tests.factories.UserFactory` user gets.
FACTORY_PASSWORD = "pass-1234-word"


@pytest.fixture(scope="session")
def browser():
    """Chromium, launched on first use and closed at the end of the session."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/test.sh`, which installs it.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread for as long as it is started;
    # Django would otherwise refuse database access from the tests ("SynchronousOnlyOperation").
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so fixtures can tell whether it failed."""
    report = yield
    setattr(item, f"bb_report_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, request):
    """A factory of pages, each in its own context (no shared cookies): Chinese locale,
    desktop size, reduced motion. Every page is closed after the test; when the test failed,
    each page's last state is saved as a screenshot first (`<test name>-failed-<n>.png`)."""
    contexts = []

    def open_page(*, locale="zh-CN"):
        # Reduced motion turns off Bootstrap's fades, so a modal is ready as soon as it opens.
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                      reduced_motion="reduce")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page

    report = getattr(request.node, "bb_report_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts, start=1):
        try:
            if failed:
                for page in context.pages:
                    screenshot(page, f"{request.node.name}-failed-{number}")
        finally:
            context.close()


@pytest.fixture
def browser_page(new_page):
    """A fresh page in its own context (no shared cookies), Chinese locale, desktop size."""
    return new_page()


def screenshot(page, name):
    """Save a full-page PNG as test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, live_server, user, *, via_form=False, password=FACTORY_PASSWORD, next_url=""):
    """Log `user` in on `page`.

    With `via_form=True` it types the username and password into the real login form and
    waits for the logged-in navigation bar (landing on `next_url`, else the workbench).
    Otherwise it only gives the page's context a session cookie, which is quicker; the page
    is not navigated.
    """
    if via_form:
        url = live_server.url + reverse("accounts:login")
        if next_url:
            url += f"?next={quote(next_url)}"
        page.goto(url)
        form = page.locator("form:has([name=password])")
        form.locator("[name=username]").fill(user.username)
        form.locator("[name=password]").fill(password)
        form.locator("button[type=submit]").click()
        page.locator(".bb-user").wait_for()
        return
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
