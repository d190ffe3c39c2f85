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


# A new fact copies what the dashboard ranks by from its KPI (metrics.facts.models).
FACT_INSERT_COLUMNS = ("kpi_id, company_id, dirty, version, series, status, attention, code, "
                       "cadence, phase, is_vanity, is_focus")
COPIED = ("code", "cadence", "phase", "is_vanity")
# A change of these moves the KPI's target or status: its fact is stale until refreshed.
RECOMPUTE = ("cadence", "aggregation", "direction")


def pg_fact_values(k, dirty, version):
    """The SELECT list of a new fact of KPI row ``k`` (FACT_INSERT_COLUMNS' order)."""
    return (f"{k}.id, {k}.company_id, {dirty}, {version}, '[]'::jsonb, 'no_target', 3, "
            f"{k}.code, {k}.cadence, {k}.phase, {k}.is_vanity, {k}.focus = 'active'")


def _pg_kpi():
    """A KPI's insert gives it a clean empty fact; an update copies the ranked columns and
    marks the fact stale when its target or status may move."""
    stale = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in RECOMPUTE)
    moved = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in (*COPIED, "focus", *RECOMPUTE))
    copied = ", ".join(f"{c} = n.{c}" for c in COPIED)
    insert = f"""
CREATE OR REPLACE FUNCTION kf_metrics_kpi_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO metrics_kpifact ({FACT_INSERT_COLUMNS})
    SELECT {pg_fact_values("k", "false", PG_VERSION)} FROM added k ORDER BY k.id
  ON CONFLICT (kpi_id) DO NOTHING;
  RETURN NULL;
END
$$;"""
    update = f"""
CREATE OR REPLACE FUNCTION kf_metrics_kpi_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE metrics_kpifact f SET {copied}, is_focus = n.focus = 'active',
         dirty = f.dirty OR ({stale}),
         version = CASE WHEN {stale} THEN {PG_VERSION} ELSE f.version END
    FROM new_kpis n JOIN old_kpis o ON o.id = n.id
   WHERE f.kpi_id = n.id AND ({moved});
  RETURN NULL;
END
$$;"""
    return [insert, update,
            "DROP TRIGGER IF EXISTS kf_metrics_kpi_insert ON metrics_kpi;",
            "CREATE TRIGGER kf_metrics_kpi_insert AFTER INSERT ON metrics_kpi REFERENCING NEW "
            "TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION kf_metrics_kpi_insert();",
            "DROP TRIGGER IF EXISTS kf_metrics_kpi_update ON metrics_kpi;",
            "CREATE TRIGGER kf_metrics_kpi_update AFTER UPDATE ON metrics_kpi REFERENCING OLD "
            "TABLE AS old_kpis NEW TABLE AS new_kpis FOR EACH STATEMENT EXECUTE FUNCTION "
            "kf_metrics_kpi_update();"]


def _pg_kpi_undo():
    return ["DROP TRIGGER IF EXISTS kf_metrics_kpi_insert ON metrics_kpi;",
            "DROP TRIGGER IF EXISTS kf_metrics_kpi_update ON metrics_kpi;",
            "DROP FUNCTION IF EXISTS kf_metrics_kpi_insert();",
            "DROP FUNCTION IF EXISTS kf_metrics_kpi_update();"]


def _sqlite_kpi():
    stale = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in RECOMPUTE)
    copied = ", ".join(f"{c} = NEW.{c}" for c in COPIED)
    insert = (f"INSERT INTO metrics_kpifact ({FACT_INSERT_COLUMNS}) VALUES (NEW.id, "
              "NEW.company_id, 0, random(), '[]', 'no_target', 3, NEW.code, NEW.cadence, "
              "NEW.phase, NEW.is_vanity, NEW.focus = 'active') ON CONFLICT (kpi_id) DO NOTHING;")
    update = (f"UPDATE metrics_kpifact SET {copied}, is_focus = NEW.focus = 'active', "
              f"dirty = dirty OR ({stale}), "
              f"version = CASE WHEN {stale} THEN random() ELSE version END "
              "WHERE kpi_id = NEW.id;")
    return [f"CREATE TRIGGER IF NOT EXISTS kf_metrics_kpi_insert AFTER INSERT ON metrics_kpi "
            f"BEGIN {insert} END",
            "CREATE TRIGGER IF NOT EXISTS kf_metrics_kpi_update AFTER UPDATE OF "
            f"{', '.join((*COPIED, 'focus', *RECOMPUTE))} ON metrics_kpi BEGIN {update} END"]


def _sqlite_kpi_undo():
    return ["DROP TRIGGER IF EXISTS kf_metrics_kpi_insert",
            "DROP TRIGGER IF EXISTS kf_metrics_kpi_update"]


def _pg(table, ranked=True):
    name = f"kf_{table}"
    insert = (f"INSERT INTO metrics_kpifact ({FACT_INSERT_COLUMNS}) SELECT "
              f"{pg_fact_values('k', 'true', PG_VERSION)}" if ranked else
              "INSERT INTO metrics_kpifact (kpi_id, company_id, dirty, version, series, status) "
              f"SELECT k.id, k.company_id, true, {PG_VERSION}, '[]'::jsonb, 'no_target'")
    upsert = f"""
CREATE OR REPLACE FUNCTION {name}_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {insert}
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


def _sqlite(table, ranked=True):
    upsert = ((f"INSERT INTO metrics_kpifact ({FACT_INSERT_COLUMNS}) "
               "SELECT id, company_id, 1, random(), '[]', 'no_target', 3, code, cadence, phase, "
               "is_vanity, focus = 'active' FROM metrics_kpi ") if ranked else
              ("INSERT INTO metrics_kpifact (kpi_id, company_id, dirty, version, series, status) "
               "SELECT id, company_id, 1, random(), '[]', 'no_target' FROM metrics_kpi ")) + (
              "WHERE id = NEW.kpi_id ON CONFLICT (kpi_id) DO UPDATE SET dirty = 1, "
              "version = excluded.version;")
    mark = "UPDATE metrics_kpifact SET dirty = 1, version = random() WHERE kpi_id = OLD.kpi_id;"
    return [f"CREATE TRIGGER IF NOT EXISTS kf_{table}_{event.lower()} AFTER {event} ON {table} "
            f"BEGIN {body} END" for event, body in (("INSERT", upsert), ("UPDATE", upsert),
                                                    ("DELETE", mark))]


def _sqlite_undo(table):
    return [f"DROP TRIGGER IF EXISTS kf_{table}_{e}" for e in ("insert", "update", "delete")]


def _statements(vendor, ranked):
    if vendor == "postgresql":
        return [sql for table in TRACKED for sql in _pg(table, ranked)] + (
            _pg_kpi() if ranked else _pg_kpi_undo())
    if vendor == "sqlite":
        # CREATE TRIGGER IF NOT EXISTS would keep an older body: drop them first.
        return [*uninstall_statements(vendor), *[
            sql for table in TRACKED for sql in _sqlite(table, ranked)],
            *(_sqlite_kpi() if ranked else [])]
    return []


def uninstall_statements(vendor):
    if vendor == "postgresql":
        return [sql for table in TRACKED for sql in _pg_undo(table)] + _pg_kpi_undo()
    if vendor == "sqlite":
        return [sql for table in TRACKED for sql in _sqlite_undo(table)] + _sqlite_kpi_undo()
    return []


def install_unranked(apps, schema_editor):
    """The triggers as migration 0009 installed them (facts without ranking columns yet)."""
    for sql in _statements(schema_editor.connection.vendor, ranked=False):
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, ranked=True):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    for sql in uninstall_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def sqlite_restore(sender, using="default", **kwargs):
    """Put back the triggers a SQLite table rebuild dropped (``post_migrate``; see
    ``teams.dataversion.sqlite_restore_triggers``)."""
    from teams.dataversion import sqlite_tables

    connection, tables = sqlite_tables(using)
    if connection is None or "metrics_kpifact" not in tables:
        return
    columns = {c.name for c in connection.introspection.get_table_description(
        connection.cursor(), "metrics_kpifact")}
    ranked = "attention" in columns
    with connection.cursor() as cursor:
        for table in TRACKED:
            if table in tables:
                for sql in _sqlite(table, ranked):
                    cursor.execute(sql)
        if ranked and "metrics_kpi" in tables:
            for sql in _sqlite_kpi():
                cursor.execute(sql)
