import pytest

# The browser fixtures (`browser`, `new_page`, `browser_page`) for every test module, under
# tests/ and under bangban/ alike: one Playwright and one Chromium per run.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
