"""Triggers that mark a KPI's fact dirty whatever writes its numbers or targets.

The writers refresh the facts they change in their own transaction (metrics.facts.store);
these triggers are the safety net for every other path (raw SQL, test factories, a bulk
load): the fact gets ``dirty = true`` and a new ``version`` in the writing statement, so
readers compute it live until something refreshes it (``manage.py facts_refresh``).
They lock only the fact rows of the KPIs written — never a row shared by the company —
so two writers of one company wait on each other only when they write the same KPI,
which they already do (the writer's per-KPI locks).

PostgreSQL: one statement-level trigger per event with a transition table (a 100k-row
import touches each of its KPIs' facts once). A delete only updates existing facts (a
KPI being deleted takes its fact with it). SQLite: row-level triggers.
"""
from __future__ import annotations

TRACKED = ("metrics_measurement", "metrics_target")
PG_VERSION = "floor(random() * 4611686018427387903)::bigint"


def _pg(table):
    name = f"kf_{table}"
    upsert = f"""
CREATE OR REPLACE FUNCTION {name}_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO metrics_kpifact (kpi_id, company_id, dirty, version, series, status)
    SELECT k.id, k.company_id, true, {PG_VERSION}, '[]'::jsonb, 'no_target'
      FROM (SELECT DISTINCT kpi_id FROM changed) c JOIN metrics_kpi k ON k.id = c.kpi_id
     ORDER BY k.id
  ON CONFLICT (kpi_id) DO UPDATE SET dirty = true, version = EXCLUDED.version;
  RETURN NULL;
END
$$;"""
    mark = f"""
CREATE OR REPLACE FUNCTION {name}_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE metrics_kpifact SET dirty = true, version = {PG_VERSION}
   WHERE kpi_id IN (SELECT DISTINCT kpi_id FROM changed);
  RETURN NULL;
END
$$;"""
    sql = [upsert, mark]
    for event, ref, fn in (("INSERT", "NEW", "upsert"), ("UPDATE", "NEW", "upsert"),
                           ("DELETE", "OLD", "mark")):
        trigger = f"{name}_{event.lower()}"
        sql.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        sql.append(f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {ref} TABLE "
                   f"AS changed FOR EACH STATEMENT EXECUTE FUNCTION {name}_{fn}();")
    return sql


def _pg_undo(table):
    name = f"kf_{table}"
    return [f"DROP TRIGGER IF EXISTS {name}_{e} ON {table};" for e in ("insert", "update", "delete")
            ] + [f"DROP FUNCTION IF EXISTS {name}_upsert();", f"DROP FUNCTION IF EXISTS {name}_mark();"]


def _sqlite(table):
    upsert = ("INSERT INTO metrics_kpifact (kpi_id, company_id, dirty, version, series, status) "
              "SELECT id, company_id, 1, random(), '[]', 'no_target' FROM metrics_kpi "
              "WHERE id = NEW.kpi_id ON CONFLICT (kpi_id) DO UPDATE SET dirty = 1, "
              "version = excluded.version;")
    mark = "UPDATE metrics_kpifact SET dirty = 1, version = random() WHERE kpi_id = OLD.kpi_id;"
    return [f"CREATE TRIGGER IF NOT EXISTS kf_{table}_{event.lower()} AFTER {event} ON {table} "
            f"BEGIN {body} END" for event, body in (("INSERT", upsert), ("UPDATE", upsert),
                                                    ("DELETE", mark))]


def _sqlite_undo(table):
    return [f"DROP TRIGGER IF EXISTS kf_{table}_{e}" for e in ("insert", "update", "delete")]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TRACKED:
        statements = _pg(table) if vendor == "postgresql" else (
            _sqlite(table) if vendor == "sqlite" else [])
        for sql in statements:
            schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TRACKED:
        statements = _pg_undo(table) if vendor == "postgresql" else (
            _sqlite_undo(table) if vendor == "sqlite" else [])
        for sql in statements:
            schema_editor.execute(sql, params=None)


def sqlite_restore(sender, using="default", **kwargs):
    """Put back the triggers a SQLite table rebuild dropped (``post_migrate``; see
    ``teams.dataversion.sqlite_restore_triggers``)."""
    from teams.dataversion import sqlite_tables

    connection, tables = sqlite_tables(using)
    if connection is None or "metrics_kpifact" not in tables:
        return
    with connection.cursor() as cursor:
        for table in TRACKED:
            if table in tables:
                for sql in _sqlite(table):
                    cursor.execute(sql)
