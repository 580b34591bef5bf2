from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from bangban.catalog.management.commands.load_catalog import Command
from bangban.catalog.models import Matter

pytestmark = pytest.mark.django_db

BAD = """
[[stages]]
code = 0
name = "前期"

[[matters]]
code = "00"
name = "投资项目代码赋码"
stage = 0
department_kind = "foo"
"""


def test_prints_a_one_line_summary_of_the_bundled_catalog():
    out = StringIO()
    call_command("load_catalog", stdout=out)
    output = out.getvalue().strip()
    assert "\n" not in output
    assert "catalog.toml: 6 stages, 35 matters" in output
    assert "100 default items; 41 created, 0 updated, 0 deactivated" in output
    assert output.endswith("7 default item sets replaced.")


def test_a_second_run_reports_nothing_created_or_updated():
    call_command("load_catalog", stdout=StringIO())
    out = StringIO()
    call_command("load_catalog", stdout=out)
    assert "0 created, 0 updated, 0 deactivated, 0 default item sets replaced" in out.getvalue()


def test_bad_file_raises_command_error_with_the_loaders_message(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("load_catalog", file=str(path), stdout=StringIO())
    message = str(raised.value)
    assert 'matter "00": unknown department_kind "foo"' in message
    assert 'bad.toml: missing required field "default_items"' in message
    assert not Matter.objects.exists()


def test_bad_file_from_the_command_line_exits_non_zero(tmp_path, capsys, monkeypatch):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    # run_from_argv closes every connection on the way out; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "load_catalog", "--skip-checks", "--file", str(path)])
    assert exited.value.code == 1
    assert 'CommandError: matter "00": unknown department_kind "foo"' in capsys.readouterr().err
    assert not Matter.objects.exists()
