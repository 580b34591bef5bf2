"""Backup and restore as docs/deployment.md describes them: deploy/backup.sh dumps the database
and copies the archive files; the dump restored into a new database has every migration
applied and the application works on it — pages and a case service."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from bangban.cases.workflow import ItemState
from tests.factories import CaseItemFactory

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# Run against the restored database in a fresh process: the page as the case's specialist,
# then the service behind an item action, and the result read back.
CHECK = """
from django.test import Client
from bangban.cases import services
from bangban.cases.models import CaseItem
item = CaseItem.objects.select_related("case__specialist").get(case__number="BB-BACKUP-1")
client = Client()
client.force_login(item.case.specialist)
page = client.get(f"/cases/{item.case_id}/", headers={"accept-language": "en"})
assert page.status_code == 200 and b"BB-BACKUP-1" in page.content, page.status_code
services.start_preparing(item=item, by=item.case.specialist)
print("restored:", CaseItem.objects.get(pk=item.pk).state)
"""


def _url(name):
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"


def _admin(statement):
    with connection.cursor() as cursor:
        cursor.execute(statement)


def test_a_dump_restored_into_a_new_database_runs_the_application(tmp_path):
    item = CaseItemFactory(case__number="BB-BACKUP-1", state=ItemState.PLANNED)
    default_storage.save("cases/1/material.pdf", ContentFile(b"%PDF-1.4 archived"))
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"
    backups = tmp_path / "backups"
    env = {**os.environ, "DATABASE_URL": _url(source), "BACKUP_DIR": str(backups),
           "BANGBAN_MEDIA_ROOT": str(settings.MEDIA_ROOT), "BANGBAN_STORAGE": "filesystem"}
    subprocess.run([str(ROOT / "deploy" / "backup.sh")], env=env, check=True,
                   capture_output=True)
    (dump,) = (backups / "db").glob("bangban-*.dump")
    assert (backups / "media" / "cases" / "1" / "material.pdf").read_bytes() == \
        b"%PDF-1.4 archived"

    _admin(f'DROP DATABASE IF EXISTS "{restored}"')
    _admin(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                        _url(restored), str(dump)], check=True, capture_output=True)
        app = {**os.environ, "DATABASE_URL": _url(restored), "DJANGO_ALLOWED_HOSTS": "testserver",
               "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        check = subprocess.run([sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT,
                               env=app, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        run = subprocess.run([sys.executable, "manage.py", "shell", "-c", CHECK], cwd=ROOT,
                             env=app, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"restored: {ItemState.PREPARING}" in run.stdout
        item.refresh_from_db()
        assert item.state == ItemState.PLANNED  # the original database was left alone
    finally:
        connection.close()
        _admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
