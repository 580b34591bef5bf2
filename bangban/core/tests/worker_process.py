"""Running `manage.py run_worker` as a real process against the test database."""

import os
import subprocess
import sys
import urllib.parse

from django.conf import settings
from django.db import connection


def database_url():
    """A DATABASE_URL for the test database this test process uses (a file for SQLite)."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = urllib.parse.quote(config.get("USER") or "", safe="")
    password = urllib.parse.quote(config.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = config.get("HOST") or "localhost"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{config['NAME']}"


def worker_env(tmp_path, **variables):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "BANGBAN_MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.update({name: str(value) for name, value in variables.items()})
    return env


def start_worker(env, log_path, *arguments):
    log = open(log_path, "ab")  # closed by stop()
    process = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker", *arguments],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def stop(process, timeout=10):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()
    return process.returncode
