"""How many of a company's KPIs each dashboard column holds in each status, kept as deltas.

The dashboard shows, per cadence × phase column, how many KPIs are off track, at risk, on
track or without a target. Counting the facts at each load read every fact of the company
(1 ms at 810 KPIs, 2 ms at 8,100): not flat in the company's size. Instead, statement
triggers on ``metrics_kpifact`` (PostgreSQL) add rows of ``KpiFactCount`` — (company,
cadence, phase, status, +n or −n) — whenever facts enter, leave or move between groups
(a vanity KPI's fact counts in none), and the dashboard sums the company's rows: a few
dozen after ``counts_compact``, which folds each group's deltas into one row.

The rows are only ever inserted, never updated in place, so two writers of one company (an
import and a grid edit) never wait on a shared counter row (issue 23). Compaction deletes
the rows it read and inserts their sums in one statement: rows a concurrent writer adds
meanwhile aren't in its snapshot, so they're kept, not lost. SQLite counts in Python at
each load (metrics.cards), so nothing is kept there.
"""
from __future__ import annotations

from django.db import connection

# The deltas of the changed facts, grouped: −1 for each old row, +1 for each new one.
_GROUPED = ("SELECT company_id, cadence, phase, status, SUM(d) FROM ({rows}) x "
            "GROUP BY company_id, cadence, phase, status HAVING SUM(d) <> 0")
_ROWS = "SELECT company_id, cadence, phase, status, {sign} AS d FROM {table} WHERE NOT is_vanity"
_INSERT = "INSERT INTO metrics_kpifactcount (company_id, cadence, phase, status, delta) "


def _function(event, rows):
    return f"""
CREATE OR REPLACE FUNCTION kfc_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_INSERT}{_GROUPED.format(rows=rows)};
  RETURN NULL;
END
$$;"""


def _trigger(event, referencing):
    return [f"DROP TRIGGER IF EXISTS kfc_{event} ON metrics_kpifact;",
            f"CREATE TRIGGER kfc_{event} AFTER {event.upper()} ON metrics_kpifact REFERENCING "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION kfc_{event}();"]


def pg_install_statements():
    new, old = (_ROWS.format(sign=1, table="new_facts"), _ROWS.format(sign=-1, table="old_facts"))
    return [
        _function("insert", new), *_trigger("insert", "NEW TABLE AS new_facts"),
        _function("update", f"{old} UNION ALL {new}"),
        *_trigger("update", "OLD TABLE AS old_facts NEW TABLE AS new_facts"),
        _function("delete", old), *_trigger("delete", "OLD TABLE AS old_facts"),
        # What the facts hold now (a migration installs the triggers on existing facts).
        "DELETE FROM metrics_kpifactcount;",
        _INSERT + _GROUPED.format(rows=_ROWS.format(sign=1, table="metrics_kpifact")) + ";",
    ]


def pg_uninstall_statements():
    return [sql for event in ("insert", "update", "delete") for sql in (
        f"DROP TRIGGER IF EXISTS kfc_{event} ON metrics_kpifact;",
        f"DROP FUNCTION IF EXISTS kfc_{event}();")]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in pg_install_statements():
            schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in pg_uninstall_statements():
            schema_editor.execute(sql, params=None)


# The dashboard reads the sums per group in its one statement (metrics.cards.DASHBOARD_SQL).
COMPACT_SQL = (
    "WITH gone AS (DELETE FROM metrics_kpifactcount RETURNING company_id, cadence, phase, "
    "status, delta AS d) " + _INSERT + _GROUPED.format(rows="SELECT * FROM gone"))


def counts_compact() -> int:
    """Fold every group's deltas into one row (PostgreSQL; a Celery beat job and
    ``manage.py facts_refresh``); the number of rows left."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(COMPACT_SQL)
        return cursor.rowcount
