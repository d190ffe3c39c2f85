"""The company data token and the database triggers that change it.

What the dashboard and the team page compute from a company's numbers is cached under
(company, token, …). The token is changed by triggers on every table those pages read,
inside the writing transaction, so a reader sees a new token exactly when it can see the
new data: no signal to forget, and bulk imports (COPY + upsert), queryset updates and raw
SQL are covered as well as model saves. The token is random rather than a counter, so a
restored backup or a recycled test database never meets a cache entry of another state.

A new table whose rows a cached page shows needs its own ``track`` line in a migration
(see migration 0002): e.g. anomalies or reforecasts once those pages show them from
the cached payload. Reads that stay outside the cache (kgiapp.selectors) need nothing.

Trade-off: on PostgreSQL a writing transaction holds the company's token row from its
first write to its commit, so two imports into the same company queue behind each other.
"""
from __future__ import annotations

PG_TOKEN = "floor(random() * 9007199254740991)::bigint"
SQLITE_TOKEN = "(random() & 9223372036854775807)"

# (table, SQL that yields the company ids of the changed rows from ``changed`` — the
# transition table on PostgreSQL; on SQLite the same column of the NEW/OLD row).
TRACKED = [
    ("metrics_measurement", "company_id", None),
    ("metrics_kpi", "company_id", None),
    ("metrics_kgi", "company_id", None),
    ("teams_team", "company_id", None),
    # Targets have no company column: reach it through their KPI.
    ("metrics_target", "kpi_id", "metrics_kpi"),
]


def _pg_companies(column, via):
    if via is None:
        return f"SELECT {column} FROM changed"
    return f"SELECT v.company_id FROM changed c JOIN {via} v ON v.id = c.{column}"


def pg_track(table, column="company_id", via=None):
    """Statements that make every write to ``table`` change its companies' tokens (PostgreSQL).

    One statement-level trigger per event with a transition table: a 100k-row import
    changes the token once, not 100k times.
    """
    name = f"kgiapp_dv_{table}"
    sql = [f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE kgiapp_companydataversion SET token = {PG_TOKEN}
   WHERE company_id IN ({_pg_companies(column, via)});
  RETURN NULL;
END
$$;"""]
    for event, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        trigger = f"{name}_{event.lower()}"
        sql.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        sql.append(f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {ref} TABLE "
                   f"AS changed FOR EACH STATEMENT EXECUTE FUNCTION {name}();")
    return sql


def pg_untrack(table):
    name = f"kgiapp_dv_{table}"
    return [f"DROP TRIGGER IF EXISTS {name}_{e} ON {table};" for e in ("insert", "update", "delete")
            ] + [f"DROP FUNCTION IF EXISTS {name}();"]


def sqlite_track(table, column="company_id", via=None):
    """The same on SQLite (row-level triggers; SQLite has no statement-level ones)."""
    sql = []
    for event, refs in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        if via is None:
            ids = ", ".join(f"{ref}.{column}" for ref in refs)
        else:
            ids = " UNION ".join(f"SELECT company_id FROM {via} WHERE id = {ref}.{column}"
                                 for ref in refs)
        sql.append(
            f"CREATE TRIGGER IF NOT EXISTS kgiapp_dv_{table}_{event.lower()} AFTER {event} "
            f"ON {table} BEGIN UPDATE kgiapp_companydataversion SET token = {SQLITE_TOKEN} "
            f"WHERE company_id IN ({ids}); END"
        )
    return sql


def sqlite_untrack(table):
    return [f"DROP TRIGGER IF EXISTS kgiapp_dv_{table}_{e}" for e in ("insert", "update", "delete")]


# Every company gets its token row when it is created.
PG_COMPANY = [f"""
CREATE OR REPLACE FUNCTION kgiapp_dv_company() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kgiapp_companydataversion (company_id, token)
    SELECT id, {PG_TOKEN} FROM changed ON CONFLICT (company_id) DO NOTHING;
  RETURN NULL;
END
$$;""", "DROP TRIGGER IF EXISTS kgiapp_dv_company_insert ON kgiapp_company;",
    "CREATE TRIGGER kgiapp_dv_company_insert AFTER INSERT ON kgiapp_company REFERENCING NEW "
    "TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION kgiapp_dv_company();",
    f"INSERT INTO kgiapp_companydataversion (company_id, token) SELECT id, {PG_TOKEN} "
    "FROM kgiapp_company ON CONFLICT (company_id) DO NOTHING;"]
PG_COMPANY_UNDO = ["DROP TRIGGER IF EXISTS kgiapp_dv_company_insert ON kgiapp_company;",
                   "DROP FUNCTION IF EXISTS kgiapp_dv_company();"]
SQLITE_COMPANY = [
    "CREATE TRIGGER IF NOT EXISTS kgiapp_dv_company_insert AFTER INSERT ON kgiapp_company "
    "BEGIN INSERT OR IGNORE INTO kgiapp_companydataversion (company_id, token) "
    f"VALUES (NEW.id, {SQLITE_TOKEN}); END",
    f"INSERT OR IGNORE INTO kgiapp_companydataversion (company_id, token) SELECT id, {SQLITE_TOKEN} "
    "FROM kgiapp_company",
]
SQLITE_COMPANY_UNDO = ["DROP TRIGGER IF EXISTS kgiapp_dv_company_insert"]


def install(schema_editor, tracked=TRACKED, company=True):
    """Create the triggers (a migration's RunPython forward)."""
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements += PG_COMPANY if company else []
        for table, column, via in tracked:
            statements += pg_track(table, column, via)
    elif vendor == "sqlite":
        statements += SQLITE_COMPANY if company else []
        for table, column, via in tracked:
            statements += sqlite_track(table, column, via)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def uninstall(schema_editor, tracked=TRACKED, company=True):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements += PG_COMPANY_UNDO if company else []
        for table, _column, _via in tracked:
            statements += pg_untrack(table)
    elif vendor == "sqlite":
        statements += SQLITE_COMPANY_UNDO if company else []
        for table, _column, _via in tracked:
            statements += sqlite_untrack(table)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def data_token(company):
    """The company's current data token, or None (then nothing is cached).

    Free when the company came through the tenancy resolver (it selects the token row
    with the membership); one query otherwise.
    """
    from .models import CompanyDataVersion

    try:
        return company.data_version.token
    except CompanyDataVersion.DoesNotExist:
        return None
