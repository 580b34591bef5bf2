"""Indexes the dashboard's queries need on a province's data (bench/dashboard.py): the period
is a range of submission or decision moments, and the columns the figures count are included
so PostgreSQL answers from the index alone. Created here, on PostgreSQL only (INCLUDE and
partial indexes), rather than in a migration of the cases app, whose models do not use them."""

from django.db import migrations

INDEXES = {
    "dashboard_case_submitted_idx":
        "ON cases_case (submitted_at) INCLUDE (id, state, agency_id, specialist_id, project_id)",
    "dashboard_item_case_idx":
        "ON cases_caseitem (case_id) INCLUDE (id, state, warning_level, department_id)",
    "dashboard_item_decided_idx":
        "ON cases_caseitem (decided_at) INCLUDE (id, state, due_date, days_used, promised_limit, "
        "limit_unit, matter_id, case_id, department_id) WHERE decided_at IS NOT NULL",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_item_clock_and_pauses")]

    operations = [migrations.RunPython(create, drop)]
