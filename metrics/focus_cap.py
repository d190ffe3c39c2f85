"""The database backstop of the seven-focus-KPI rule, kept in place on SQLite.

Migration ``metrics.0002`` creates a trigger that refuses an 8th active KPI per team (the
service, ``metrics.services.kpi_set_focus``, is the rule people meet). SQLite alters a table
by rebuilding it, which drops the triggers on it, so every later migration of ``metrics_kpi``
removed this one; ``post_migrate`` puts it back (``CREATE TRIGGER IF NOT EXISTS``: running it
again changes nothing). PostgreSQL alters tables in place and keeps it.
"""
from __future__ import annotations

from importlib import import_module

from teams.dataversion import sqlite_tables


def sqlite_restore_focus_cap(sender, using="default", **kwargs):
    connection, tables = sqlite_tables(using)
    if connection is None or "metrics_kpi" not in tables:
        return
    # The migration's own statements: one text of the trigger, frozen with its migration.
    migration = import_module("metrics.migrations.0002_kpi_focus_cap_trigger")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_FORWARD:
            cursor.execute(sql)
