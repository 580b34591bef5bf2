"""The triggers that keep the dashboard's per-case tallies (models.py) exact, the recount that
checks and repairs them, and the SQL both share.

Every write to cases_caseitem, whatever its path, changes the tallies in the same statement's
transaction: on PostgreSQL one statement-level trigger per event reads the changed rows from
its transition tables and applies the grouped differences with one INSERT … ON CONFLICT DO
UPDATE per tally, so the warning scan's single UPDATE of a hundred thousand items costs one
grouped upsert; on SQLite row-level triggers do the same per row. An UPDATE that changes no
tallied column changes nothing.

The decision tally holds the legal-limit figures as the catalog says now (like the live query,
which joins the matter): a change of a matter's legal limit or its unit moves the tallies of
the items decided under it, by a trigger on catalog_matter.

Months and "decided after the due date" are read in the agency's time zone (TIME_ZONE), which
the trigger functions carry as a constant: after changing TIME_ZONE run
`manage.py recount_dashboard_tallies --repair`, which installs them again and recounts.
"""

from django.conf import settings
from django.db import connection, transaction

from bangban.dashboards.models import CaseItemTally, DecisionTally
from bangban.dashboards.selectors import DECIDED_ITEM_STATES

ITEM_TABLE, MATTER_TABLE = "cases_caseitem", "catalog_matter"
ITEM_COLUMNS = ("case_id", "state", "warning_level")
DECISION_COLUMNS = ("case_id", "state", "decided_at", "due_date", "days_used", "promised_limit",
                    "limit_unit", "matter_id")
DECISION_SUMS = ("decided", "late", "timed", "used", "promised", "legal", "used_legal",
                 "legal_limit")


def _quoted(values):
    return ", ".join("'%s'" % value.replace("'", "''") for value in values)


def tally_columns(model=CaseItemTally):
    """(item states, warning levels) the item tally has a column for."""
    names = [field.column for field in model._meta.concrete_fields]
    return ([name[len("state_"):] for name in names if name.startswith("state_")],
            [name[len("warning_"):] for name in names if name.startswith("warning_")])


class _Dialect:
    """What differs between PostgreSQL and SQLite: the local date and month of a moment."""

    def __init__(self, vendor, time_zone):
        self.vendor, self.zone = vendor, time_zone.replace("'", "''")

    def local_date(self, column):
        if self.vendor == "postgresql":
            return f"({column} AT TIME ZONE '{self.zone}')::date"
        # Django's own function, registered on every SQLite connection it opens.
        return f"django_datetime_cast_date({column}, '{self.zone}', 'UTC')"

    def month(self, column):
        if self.vendor == "postgresql":
            return f"date_trunc('month', {column} AT TIME ZONE '{self.zone}')::date"
        return f"substr({self.local_date(column)}, 1, 8) || '01'"


def _item_upsert(source, states, levels):
    """Adds the grouped counts of `source` (rows of ITEM_COLUMNS and a `sign`) to the item
    tally."""
    counts = {"items": "sum(d.sign)"}
    for state in states:
        counts[f"state_{state}"] = f"sum(CASE WHEN d.state = '{state}' THEN d.sign ELSE 0 END)"
    for level in levels:
        counts[f"warning_{level}"] = (
            f"sum(CASE WHEN d.warning_level = '{level}' THEN d.sign ELSE 0 END)")
    return _upsert(CaseItemTally._meta.db_table, ("case_id",), {"case_id": "d.case_id", **counts},
                   f"({source}) AS d WHERE true GROUP BY d.case_id")


def _decision_upsert(source, dialect):
    """Adds the grouped sums of `source` (decided rows of DECISION_COLUMNS and a `sign`) to the
    decision tally."""
    timed = "d.days_used IS NOT NULL"
    legal = f"{timed} AND m.legal_limit IS NOT NULL AND m.legal_limit_unit = d.limit_unit"
    month = dialect.month("d.decided_at")
    values = {
        "case_id": "d.case_id", "month": month,
        "decided": "sum(d.sign)",
        "late": f"sum(CASE WHEN {dialect.local_date('d.decided_at')} > d.due_date "
                "THEN d.sign ELSE 0 END)",
        "timed": f"sum(CASE WHEN {timed} THEN d.sign ELSE 0 END)",
        "used": f"sum(CASE WHEN {timed} THEN d.sign * d.days_used ELSE 0 END)",
        "promised": f"sum(CASE WHEN {timed} THEN d.sign * d.promised_limit ELSE 0 END)",
        "legal": f"sum(CASE WHEN {legal} THEN d.sign ELSE 0 END)",
        "used_legal": f"sum(CASE WHEN {legal} THEN d.sign * d.days_used ELSE 0 END)",
        "legal_limit": f"sum(CASE WHEN {legal} THEN d.sign * m.legal_limit ELSE 0 END)",
    }
    return _upsert(DecisionTally._meta.db_table, ("case_id", "month"), values,
                   f"({source}) AS d JOIN {MATTER_TABLE} AS m ON m.id = d.matter_id "
                   f"WHERE true GROUP BY d.case_id, {month}")


def _upsert(table, key, values, rest):
    # No alias for the table: SQLite allows none inside a trigger.
    added = ", ".join(f"{column} = {table}.{column} + excluded.{column}"
                      for column in values if column not in key)
    return (f"INSERT INTO {table} ({', '.join(values)}) "
            f"SELECT {', '.join(values.values())} FROM {rest} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}")


def _decided(alias):
    return f"{alias}.state IN ({_quoted(DECIDED_ITEM_STATES)}) AND {alias}.decided_at IS NOT NULL"


def _rows(columns, alias, sign, where="", source=""):
    selected = ", ".join(f"{alias}.{column} AS {column}" for column in columns)
    return (f"SELECT {selected}, {sign} AS sign" + (f" FROM {source}" if source else "")
            + (f" WHERE {where}" if where else ""))


def _changed(columns, old="o", new="n"):
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in columns)


# ------------------------------------------------------------------------------ PostgreSQL


# Transition tables have no statistics: the planner guesses millions of rows, and compiling
# the upsert (JIT) and spilling its sort and aggregate to disk cost more than counting the
# warning scan's hundred thousand rows.
_FUNCTION_SETTINGS = "SET jit = off SET work_mem = '64MB'"


def _postgresql_sources(columns, decided_only):
    """{event: the changed rows of `columns` with their sign, from the transition tables}."""

    def side(alias, table, sign, extra=""):
        where = " AND ".join(part for part in (decided_only and _decided(alias), extra) if part)
        return _rows(columns, alias, sign, where, table)

    # An UPDATE's rows are paired once, each pair giving its new row (+1) and its old one (-1).
    names = ", ".join(columns)
    pairs = (f"old_rows AS o JOIN new_rows AS n ON n.id = o.id CROSS JOIN LATERAL (VALUES "
             f"({', '.join(f'n.{c}' for c in columns)}, 1), "
             f"({', '.join(f'o.{c}' for c in columns)}, -1)) AS d({names}, sign)")
    changed = f"({_changed(columns)})"
    return {
        "INSERT": side("n", "new_rows AS n", 1),
        "DELETE": side("o", "old_rows AS o", -1),
        "UPDATE": f"SELECT d.* FROM {pairs} WHERE {changed}"
                  + (f" AND {_decided('d')}" if decided_only else ""),
    }


def _postgresql_install(states, levels, dialect):
    items = _postgresql_sources(ITEM_COLUMNS, False)
    decisions = _postgresql_sources(DECISION_COLUMNS, True)
    # Room on each page for a row's next version, so that the scan's update of a case's counts
    # stays on the page and leaves the key's index alone (HOT): at 1,000,000 items the item
    # tally's share of the scan's UPDATE falls from 1.0 s to 0.65 s.
    statements = [f"ALTER TABLE {model._meta.db_table} SET (fillfactor = {fill})"
                  for model, fill in ((CaseItemTally, 50), (DecisionTally, 70))]
    for event in ("INSERT", "UPDATE", "DELETE"):
        name = f"dashboards_tally_item_{event.lower()}"
        referencing = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                       "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[event]
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
            f"{_FUNCTION_SETTINGS} AS $$ BEGIN {_item_upsert(items[event], states, levels)}; "
            f"{_decision_upsert(decisions[event], dialect)}; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {ITEM_TABLE}",
            f"CREATE TRIGGER {name} AFTER {event} ON {ITEM_TABLE} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    name = "dashboards_tally_matter_update"
    statements += [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"{_FUNCTION_SETTINGS} AS $$ BEGIN {_legal_moves('old_rows', 'new_rows', dialect)}; "
        "RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {MATTER_TABLE}",
        f"CREATE TRIGGER {name} AFTER UPDATE ON {MATTER_TABLE} REFERENCING OLD TABLE AS "
        f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]
    return statements


def _legal_moves(old, new, dialect, row_level=False):
    """The decided items of matters whose legal limit or unit changed: their share of the
    legal figures under the old limit taken off, under the new one added."""
    timed = "i.days_used IS NOT NULL"

    def legal(m):
        return f"{timed} AND {m}.legal_limit IS NOT NULL AND {m}.legal_limit_unit = i.limit_unit"

    month = dialect.month("i.decided_at")
    changed = _changed(("legal_limit", "legal_limit_unit"), "o", "n")
    if row_level:
        matters = f"(SELECT {old}.id AS id, {old}.legal_limit AS legal_limit, " \
                  f"{old}.legal_limit_unit AS legal_limit_unit) AS o, " \
                  f"(SELECT {new}.legal_limit AS legal_limit, " \
                  f"{new}.legal_limit_unit AS legal_limit_unit) AS n"
    else:
        matters = f"{old} AS o JOIN {new} AS n ON n.id = o.id"
    values = {"case_id": "i.case_id", "month": month}
    for column in DECISION_SUMS:
        values[column] = "0"
    values["legal"] = (f"sum((CASE WHEN {legal('n')} THEN 1 ELSE 0 END) "
                       f"- (CASE WHEN {legal('o')} THEN 1 ELSE 0 END))")
    values["used_legal"] = (f"sum((CASE WHEN {legal('n')} THEN i.days_used ELSE 0 END) "
                            f"- (CASE WHEN {legal('o')} THEN i.days_used ELSE 0 END))")
    values["legal_limit"] = (f"sum((CASE WHEN {legal('n')} THEN n.legal_limit ELSE 0 END) "
                             f"- (CASE WHEN {legal('o')} THEN o.legal_limit ELSE 0 END))")
    return _upsert(DecisionTally._meta.db_table, ("case_id", "month"), values,
                   f"{matters} JOIN {ITEM_TABLE} AS i ON i.matter_id = o.id "
                   f"WHERE ({changed}) AND {_decided('i')} AND {timed} "
                   f"GROUP BY i.case_id, {month}")


# ------------------------------------------------------------------------------ SQLite


def _sqlite_install(states, levels, dialect):
    statements = []

    def trigger(name, event, when, body):
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW "
                          f"{'WHEN ' + when + ' ' if when else ''}BEGIN {body}; END")

    for kind, columns, upsert in (
        ("item", ITEM_COLUMNS, lambda source: _item_upsert(source, states, levels)),
        ("decision", DECISION_COLUMNS, lambda source: _decision_upsert(source, dialect)),
    ):
        decided = kind == "decision"
        new = _rows(columns, "NEW", 1, decided and _decided("NEW"))
        old = _rows(columns, "OLD", -1, decided and _decided("OLD"))
        trigger(f"dashboards_tally_{kind}_insert", f"INSERT ON {ITEM_TABLE}", "", upsert(new))
        trigger(f"dashboards_tally_{kind}_delete", f"DELETE ON {ITEM_TABLE}", "", upsert(old))
        trigger(f"dashboards_tally_{kind}_update",
                f"UPDATE OF {', '.join(columns)} ON {ITEM_TABLE}",
                _changed(columns, "OLD", "NEW").replace("IS DISTINCT FROM", "IS NOT"),
                upsert(f"{new} UNION ALL {old}"))
    trigger("dashboards_tally_matter_update",
            f"UPDATE OF legal_limit, legal_limit_unit ON {MATTER_TABLE}", "",
            _legal_moves("OLD", "NEW", dialect, row_level=True).replace(
                "IS DISTINCT FROM", "IS NOT"))
    return statements


def _sqlite_triggers():
    return [f"dashboards_tally_{kind}_{event}" for kind in ("item", "decision")
            for event in ("insert", "update", "delete")] + ["dashboards_tally_matter_update"]


# ------------------------------------------------------------------------------ install, count


def install_sql(vendor, states, levels, time_zone=None):
    """The statements that create (or replace) the triggers."""
    dialect = _Dialect(vendor, time_zone or settings.TIME_ZONE)
    if vendor == "postgresql":
        return _postgresql_install(states, levels, dialect)
    if vendor == "sqlite":
        return _sqlite_install(states, levels, dialect)
    raise NotImplementedError(f"no dashboard tally triggers for {vendor}")


def uninstall_sql(vendor):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in (
            *((f"dashboards_tally_item_{event}", ITEM_TABLE)
              for event in ("insert", "update", "delete")),
            ("dashboards_tally_matter_update", MATTER_TABLE),
        )] + [f"DROP FUNCTION IF EXISTS {name}()" for name in (
            "dashboards_tally_item_insert", "dashboards_tally_item_update",
            "dashboards_tally_item_delete", "dashboards_tally_matter_update")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_triggers()]


def count_sql(vendor, states, levels, time_zone=None):
    """The statements that fill empty tallies from the items as they are."""
    dialect = _Dialect(vendor, time_zone or settings.TIME_ZONE)
    items = f"{ITEM_TABLE} AS i"
    return [_item_upsert(_rows(ITEM_COLUMNS, "i", 1, source=items), states, levels),
            _decision_upsert(_rows(DECISION_COLUMNS, "i", 1, _decided("i"), items), dialect)]


def _tallies():
    """{(table, key): counts} of every tally row with a count other than zero."""
    found = {}
    for model, key in ((CaseItemTally, ("case_id",)), (DecisionTally, ("case_id", "month"))):
        columns = [f.column for f in model._meta.concrete_fields
                   if f.column not in ("id", *key)]
        for row in model.objects.values_list(*key, *columns):
            if any(row[len(key):]):
                found[model._meta.db_table, row[:len(key)]] = row[len(key):]
    return found


def recount_tallies(*, repair=False):
    """Counts the tallies again from the items and returns the keys ((table, case[, month]))
    whose stored counts differ. With `repair`, installs the triggers again (for the current
    TIME_ZONE) and replaces the tallies by the recount, in one transaction that holds writers
    of items off meanwhile."""
    vendor = connection.vendor
    states, levels = tally_columns()
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {ITEM_TABLE}, {MATTER_TABLE} IN SHARE MODE")
        stored = _tallies()
        sid = transaction.savepoint()
        for model in (CaseItemTally, DecisionTally):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        for statement in count_sql(vendor, states, levels):
            cursor.execute(statement)
        counted = _tallies()
        if repair:
            for statement in install_sql(vendor, states, levels):
                cursor.execute(statement)
            transaction.savepoint_commit(sid)
        else:
            transaction.savepoint_rollback(sid)
    return sorted((key for key in stored.keys() | counted.keys()
                   if stored.get(key) != counted.get(key)), key=str)
