"""Browser tests: Playwright's sync API driving Debian's Chromium (/usr/bin/chromium).

Playwright's own browser downloads are never used (no internet on the build machines); the
Python package only needs its bundled node driver. Mark tests `@pytest.mark.browser` and use
pytest-django's `live_server`:

    @pytest.mark.browser
    def test_something(live_server, browser_page):
        browser_page.goto(live_server.url + "/accounts/login/")
        screenshot(browser_page, "login")
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from the test body ("SynchronousOnlyOperation").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

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


# One Playwright and one Chromium for the whole run. Playwright's sync API cannot be started
# twice in one thread, so when a test module elsewhere imports the `browser` fixture (creating a
# second session fixture), both share this instance; the last one torn down closes it.
_shared = {"playwright": None, "browser": None, "users": 0}


def _start_browser():
    if _shared["browser"] is None:
        if not os.path.exists(CHROMIUM):
            pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/test.sh`, which installs it.")
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Exception:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    _shared["users"] += 1
    return _shared["browser"]


def _release_browser():
    _shared["users"] -= 1
    if _shared["users"] == 0 and _shared["browser"] is not None:
        try:
            _shared["browser"].close()
        finally:
            _shared["playwright"].stop()
            _shared["browser"] = _shared["playwright"] = None


@pytest.fixture(scope="session")
def browser():
    """Chromium, launched on first use and closed at the end of the session."""
    yield _start_browser()
    _release_browser()


@pytest.fixture
def browser_page(browser):
    """A fresh page in its own context (no shared cookies), Chinese locale, desktop size."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name):
    """Save a full-page PNG as test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
