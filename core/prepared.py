"""Statements every page load runs, prepared once per database connection (PostgreSQL).

A page's fixed reads (the tenancy resolver's memberships, the dashboard's cards, the weekly
review's rows) are small for the database to run but not to plan: PostgreSQL spends
0.3–0.5 ms planning each join before a 0.01 ms execution, more than the read itself.
Prepared, a statement is planned on its first executions in a connection and then runs
from its cached plan (PostgreSQL keeps custom plans only while they are cheaper).

``prepared_cursor()`` is ``connection.cursor()`` whose statements are prepared: psycopg's
server-side binding (parameters sent apart from the SQL, typed) with ``prepare=True``.
Everything else keeps Django's client-side binding, which never prepares, so the ORM's
many one-off statements don't fill the connection's cache. It goes through Django's cursor
wrapper, so queries are logged and counted as any other.

A statement prepared here must name its columns (no ``SELECT t.*``): a migration that adds
a column would otherwise change a cached statement's result type under a running process.
``DATABASE_PREPARED_STATEMENTS=0`` (settings.DATABASE_PREPARED_STATEMENTS) turns it off, for
a connection pooler in transaction mode that can't keep prepared statements.
"""
from __future__ import annotations

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Django opens psycopg connections with prepare_threshold=None (nothing is ever prepared).
# A number this high lets ``prepare=True`` work without psycopg preparing other statements
# by count (Django's client-side cursors never prepare anyway).
_ONLY_WHEN_ASKED = 2**31 - 1


class _PreparingCursor(psycopg.Cursor):
    """A server-side binding cursor whose statements are all prepared."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        super().execute(query, params, prepare=True, binary=binary)
        # Django's query log reads the statement from ``cursor._query.query``, which
        # psycopg leaves empty for a prepared statement.
        self._query = _Logged(self.connection, query, params)
        return self


class _Logged:
    """What Django's query log reads of a statement (``.query``): its SQL with its values,
    composed only when read."""

    __slots__ = ("_connection", "_sql", "_params")

    def __init__(self, connection, sql, params):
        self._connection, self._sql, self._params = connection, sql, params

    @property
    def query(self) -> bytes:
        return psycopg.ClientCursor(self._connection).mogrify(self._sql, self._params).encode()


def _prepares(connection) -> bool:
    return connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS


def prepared_cursor(using: str = DEFAULT_DB_ALIAS):
    """A cursor (a context manager, as ``connection.cursor()``) whose statements are prepared
    on PostgreSQL; a plain cursor elsewhere or when turned off."""
    connection = connections[using]
    if not _prepares(connection):
        return connection.cursor()
    return _wrapped(connection, _PreparingCursor, prepare=True)


def bound_cursor(using: str = DEFAULT_DB_ALIAS):
    """A PostgreSQL cursor whose parameters travel apart from the SQL (psycopg's server-side
    binding), never prepared: for one statement with large array parameters.

    With ``%b`` placeholders the arrays go in binary: Django's client-side binding prints
    every element into the SQL text, quoted and escaped (8,100 stored forecast fits: 0.85 s
    of CPU through ``bulk_create``, 0.04 s as four binary arrays). Not prepared, so it works
    behind a pooler in transaction mode too. PostgreSQL only (``ValueError`` elsewhere).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise ValueError("server-side binding is PostgreSQL's")
    return _wrapped(connection, psycopg.Cursor, prepare=False)


def _wrapped(connection, cursor_class, *, prepare: bool):
    """What connection.cursor() does (django.db.backends: _cursor, create_cursor), with
    this cursor class: logged and counted as any other."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
        from django.db.backends.postgresql.psycopg_any import register_tzloader
        from psycopg.pq import Format

        raw = connection.connection
        if prepare and raw.prepare_threshold is None:
            raw.prepare_threshold = _ONLY_WHEN_ASKED
        cursor = cursor_class(raw)
        loader = raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)
        return connection._prepare_cursor(cursor)


def raw_models(model, sql: str, params, using: str = DEFAULT_DB_ALIAS) -> list:
    """``list(model.objects.raw(sql, params))`` with the statement prepared on PostgreSQL:
    columns named as the model's fields' columns load those fields (converted as the ORM
    converts them), any other column becomes an attribute of the instance."""
    connection = connections[using]
    if not _prepares(connection):
        return list(model.objects.db_manager(using).raw(sql, params))
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    by_column = {field.column: field for field in model._meta.concrete_fields}
    loaded = [i for i, name in enumerate(names) if name in by_column]
    fields = [by_column[names[i]] for i in loaded]
    attnames = [field.attname for field in fields]
    extra = [(i, name) for i, name in enumerate(names) if name not in by_column]
    converters = field_converters(fields, model._meta.db_table, connection)
    out = []
    for row in rows:
        values = convert_values([row[i] for i in loaded], converters, connection)
        instance = model.from_db(using, attnames, values)
        for i, name in extra:
            setattr(instance, name, row[i])
        out.append(instance)
    return out


def field_converters(fields, alias: str, connection) -> list[tuple]:
    """[(position, column, converters)] of the fields whose database values the ORM converts
    (as its compiler does: the backend's converters, then the field's), read as ``alias``."""
    out = []
    for i, field in enumerate(fields):
        col = field.get_col(alias)
        funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if funcs:
            out.append((i, col, funcs))
    return out


def convert_values(values: list, converters: list[tuple], connection) -> list:
    """``values`` (one row's, in ``field_converters``' order) converted in place."""
    for i, col, funcs in converters:
        for convert in funcs:
            values[i] = convert(values[i], col, connection)
    return values
