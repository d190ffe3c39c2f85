"""The company data token and the database triggers that change it.

What the dashboard and the team page compute from a company's numbers is cached under
(company, token, …). The token is changed by triggers on every table those pages read, in
the writing transaction, so a reader sees a new token exactly when it can see the new
data: no signal to forget, and bulk imports (COPY + upsert), queryset updates, raw SQL and
workers are covered as well as model saves. The token is random rather than a counter, so
a restored backup or a recycled test database never meets a cache entry of another state.

TRACKED lists the tables; a table added later needs a migration that calls
``install(schema_editor, [(table, column, via)], company=False)`` (see the teams, metrics
and reviews migrations *_data_token, each freezing its own list). Reads that stay outside
the cache — tasks, reviews, members — need nothing.

Writers never wait on each other (PostgreSQL). The first design updated the token row
from a statement trigger, so a writing transaction held the company's row lock from its
first write to its commit: a 20-second import blocked every grid edit of the company.
Now a statement trigger only *notes* the companies it changed in a transaction-local
setting (``kgi.dv_companies``, via set_config); the first note of a transaction inserts a
row into ``teams_dataversionpending``, whose DEFERRABLE INITIALLY DEFERRED constraint
trigger runs once, at COMMIT, and sets a new token on every noted company. The row lock
is held only for the commit itself. Kept over the simpler row-level deferred trigger on
every tracked table because that queues one event per changed row (100,000 for a big
import), all fired at commit; this queues one per transaction. A savepoint rolled back
takes its notes and its queued event with it (both are transactional).
Measured with bench/dashboard_bench.py (bench/README.md, Dashboards): a grid write while an
import of the same company is open went from blocked (3 s lock timeout) to 43 ms; page
ratios did not move; one write 7.7 → 11.1 ms and 4,212 numbers in one transaction
1,106 → 968 ms, both within the noise of the shared machine.

Can a reader miss a token written at commit? No, if it reads the token *before* the data,
which ``cached`` does (the tenancy resolver loads the token with the membership, at the
start of the request). The token and the data become visible in the same commit, and
every later statement of the reader sees at least that commit: a reader that got the old
token may compute from newer data and store it under the old key, which is harmless (no
one reads the old token once the commit is visible); no reader can store old data under
the new token. Two commits of one company update the row one after the other (READ
COMMITTED re-reads it), so the last token differs from every earlier one. Two rules
follow: read the token before the data, and don't compute a cached page inside a
transaction that has written (its own writes don't move the token until it commits).

In tests whose transaction never commits, tests/conftest.py sets the dv_flush constraint
IMMEDIATE, so the token changes at each write, as a commit would make it.
SQLite keeps row-level triggers that update the token at once: it has one writer anyway.
"""
from __future__ import annotations

PG_TOKEN = "floor(random() * 9007199254740991)::bigint"
SQLITE_TOKEN = "(random() & 9223372036854775807)"

# (table, SQL that yields the company ids of the changed rows from ``changed`` — the
# transition table on PostgreSQL; on SQLite the same column of the NEW/OLD row).
TRACKED = [
    # Not metrics_measurement since metrics/0010: pages read numbers from the per-KPI facts
    # (metrics.facts), whose versions key what is cached of one KPI's numbers.
    ("metrics_kpi", "company_id", None),
    ("metrics_kgi", "company_id", None),
    ("teams_team", "company_id", None),
    ("metrics_campaign", "company_id", None),
    # No company column: reach it through the KPI.
    ("metrics_target", "kpi_id", "metrics_kpi"),
    ("metrics_campaign_kpis", "kpi_id", "metrics_kpi"),
    # What the analytics write: the detector's flags and the monthly reforecasts.
    ("metrics_anomaly", "company_id", None),
    ("reviews_reforecast", "company_id", None),
]
# Tracked since teams/0005 (the dashboard's "invite your colleagues" step is cached with it).
PEOPLE = [("teams_membership", "company_id", None), ("teams_invitation", "company_id", None)]


def _pg_companies(column, via):
    if via is None:
        return f"SELECT DISTINCT {column} FROM changed"
    return f"SELECT DISTINCT v.company_id FROM changed c JOIN {via} v ON v.id = c.{column}"


# The companies this transaction wrote, as ",1,5," (a transaction-local setting: a rolled
# back savepoint takes its marks with it, and the next transaction starts empty).
PENDING = "kgi.dv_companies"

# Shared by every tracked table (PostgreSQL): dv_mark notes the companies a statement
# changed and, for the first of the transaction, inserts one row into
# teams_dataversionpending, whose DEFERRABLE INITIALLY DEFERRED constraint trigger runs
# dv_flush once, at COMMIT: it sets a new token on every noted company.
PG_SHARED = ["CREATE TABLE IF NOT EXISTS teams_dataversionpending (id bigserial PRIMARY KEY);",
             f"""
CREATE OR REPLACE FUNCTION dv_mark(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  pending text := coalesce(current_setting('{PENDING}', true), '');
  fresh text;
BEGIN
  SELECT string_agg(id::text, ',') INTO fresh FROM unnest(ids) id
   WHERE id IS NOT NULL AND position(',' || id || ',' IN pending) = 0;
  IF fresh IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('{PENDING}', CASE WHEN pending = '' THEN ',' ELSE pending END
                     || fresh || ',', true);
  IF pending = '' THEN
    -- After set_config: with the constraint set IMMEDIATE, dv_flush runs right here.
    INSERT INTO teams_dataversionpending DEFAULT VALUES;
  END IF;
END
$$;""", f"""
CREATE OR REPLACE FUNCTION dv_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[] := string_to_array(
    trim(BOTH ',' FROM coalesce(current_setting('{PENDING}', true), '')), ',')::bigint[];
BEGIN
  PERFORM set_config('{PENDING}', '', true);
  DELETE FROM teams_dataversionpending WHERE id = NEW.id;
  -- Lock in company order, so two commits that touch the same companies can't deadlock.
  PERFORM 1 FROM teams_companydataversion WHERE company_id = ANY (ids)
    ORDER BY company_id FOR UPDATE;
  UPDATE teams_companydataversion SET token = {PG_TOKEN} WHERE company_id = ANY (ids);
  RETURN NULL;
END
$$;""", "DROP TRIGGER IF EXISTS dv_flush ON teams_dataversionpending;",
    "CREATE CONSTRAINT TRIGGER dv_flush AFTER INSERT ON teams_dataversionpending "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dv_flush();"]
PG_SHARED_UNDO = ["DROP TABLE IF EXISTS teams_dataversionpending;",
                  "DROP FUNCTION IF EXISTS dv_flush();", "DROP FUNCTION IF EXISTS dv_mark(bigint[]);"]


def pg_track(table, column="company_id", via=None):
    """Statements that make every write to ``table`` change its companies' tokens at commit.

    One statement-level trigger per event with a transition table: a 100k-row import
    notes its company once, and nothing is locked until the commit.
    """
    name = f"dv_{table}"
    sql = [f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dv_mark(ARRAY({_pg_companies(column, via)}));
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
    return [f"DROP TRIGGER IF EXISTS dv_{table}_{e} ON {table};"
            for e in ("insert", "update", "delete")] + [f"DROP FUNCTION IF EXISTS dv_{table}();"]


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
            f"CREATE TRIGGER IF NOT EXISTS dv_{table}_{event.lower()} AFTER {event} "
            f"ON {table} BEGIN UPDATE teams_companydataversion SET token = {SQLITE_TOKEN} "
            f"WHERE company_id IN ({ids}); END"
        )
    return sql


def sqlite_untrack(table):
    return [f"DROP TRIGGER IF EXISTS dv_{table}_{e}" for e in ("insert", "update", "delete")]


# Every company gets its token row when it is created.
PG_COMPANY = [f"""
CREATE OR REPLACE FUNCTION dv_company() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO teams_companydataversion (company_id, token)
    SELECT id, {PG_TOKEN} FROM changed ON CONFLICT (company_id) DO NOTHING;
  RETURN NULL;
END
$$;""", "DROP TRIGGER IF EXISTS dv_company_insert ON teams_company;",
    "CREATE TRIGGER dv_company_insert AFTER INSERT ON teams_company REFERENCING NEW "
    "TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION dv_company();",
    f"INSERT INTO teams_companydataversion (company_id, token) SELECT id, {PG_TOKEN} "
    "FROM teams_company ON CONFLICT (company_id) DO NOTHING;"]
PG_COMPANY_UNDO = ["DROP TRIGGER IF EXISTS dv_company_insert ON teams_company;",
                   "DROP FUNCTION IF EXISTS dv_company();"]
SQLITE_COMPANY = [
    "CREATE TRIGGER IF NOT EXISTS dv_company_insert AFTER INSERT ON teams_company "
    "BEGIN INSERT OR IGNORE INTO teams_companydataversion (company_id, token) "
    f"VALUES (NEW.id, {SQLITE_TOKEN}); END",
    f"INSERT OR IGNORE INTO teams_companydataversion (company_id, token) SELECT id, {SQLITE_TOKEN} "
    "FROM teams_company",
]
SQLITE_COMPANY_UNDO = ["DROP TRIGGER IF EXISTS dv_company_insert"]


def install(schema_editor, tracked=TRACKED, company=True):
    """Create the triggers (a migration's RunPython forward)."""
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements += PG_SHARED + PG_COMPANY if company else []
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
        for table, _column, _via in tracked:
            statements += pg_untrack(table)
        statements += PG_COMPANY_UNDO + PG_SHARED_UNDO if company else []
    elif vendor == "sqlite":
        statements += SQLITE_COMPANY_UNDO if company else []
        for table, _column, _via in tracked:
            statements += sqlite_untrack(table)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def sqlite_legacy_rename(sender, using="default", **kwargs):
    """On SQLite, let a migration rebuild a table that a data-token trigger reads.

    Django rebuilds a SQLite table to alter it (copy into ``new__t``, drop ``t``, rename).
    Since SQLite 3.26 a rename re-parses every trigger, and one that reads ``t`` (a
    target's trigger finds its company through ``metrics_kpi``) fails while ``t`` is gone.
    The legacy rename leaves trigger text alone, which is right here: the rebuilt table
    takes the old name back. Set for the migrating connection only (``pre_migrate``).
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA legacy_alter_table = ON")


def sqlite_tables(using):
    """The SQLite connection being migrated and its tables, or (None, None) elsewhere."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return None, None
    return connection, set(connection.introspection.table_names())


def sqlite_restore_triggers(sender, using="default", **kwargs):
    """Put back the triggers a SQLite table rebuild dropped (``post_migrate``).

    Rebuilding a table to alter it (see above) drops the triggers *on* it, so a later
    migration of ``metrics_kpi`` or ``teams_company`` would silently stop their tokens.
    Every statement is ``IF NOT EXISTS`` / ``OR IGNORE``: running it again changes nothing.
    PostgreSQL alters tables in place and keeps its triggers.
    """
    connection, tables = sqlite_tables(using)
    if connection is None or "teams_companydataversion" not in tables:
        return
    statements = list(SQLITE_COMPANY) if "teams_company" in tables else []
    for table, column, via in TRACKED + PEOPLE:
        if table in tables and (via is None or via in tables):
            statements += sqlite_track(table, column, via)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def reinstall_pg(schema_editor):
    """Give every table this database already tracks the commit-time triggers (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'dv\\_%' "
                       "AND proname NOT IN ('dv_company', 'dv_mark', 'dv_flush')")
        names = {row[0][3:] for row in cursor.fetchall()}
    statements = list(PG_SHARED)
    for table, column, via in TRACKED + PEOPLE:
        if table in names:
            statements += pg_track(table, column, via)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def data_token(company):
    """The company's current data token, or None (then nothing is cached).

    Free when the company came through the tenancy resolver (it selects the token row
    with the membership); one query otherwise.
    """
    from teams.models import CompanyDataVersion

    try:
        return company.data_version.token
    except CompanyDataVersion.DoesNotExist:
        return None


# A cached entry lives until the company's token changes; this only bounds memory.
CACHE_SECONDS = 3600


def cache_key(company, name, parts):
    """The key ``cached`` uses: name, company, its data token, language and ``parts``.

    None when the company has no token (then nothing may be cached). Templates use it
    for fragment caching ({% cache %}) of what they render from the cached result.
    """
    from django.utils import translation

    token = data_token(company)
    if token is None:
        return None
    # The company's own settings shape what pages show (quarter labels, time zone, money),
    # and the company row is not tracked by the token: they go into the key instead.
    settings_part = (f"{company.fiscal_year_start_month}.{company.week_start}."
                     f"{company.timezone}.{company.currency}")
    return ":".join(str(part) for part in (
        name, company.pk, company.slug, token, translation.get_language(), settings_part,
        *parts))


def cache_get(key):
    """The value under a data-token key: this process's copy first, then the shared cache.

    A token key never holds two different values, so a per-process copy can't go stale;
    it spares the shared cache's network round trip on the loads that repeat.
    """
    local, shared = _caches()
    value = local.get(key) if local is not None else None
    if value is None:
        value = shared.get(key)
        if value is not None and local is not None:
            local.set(key, value, CACHE_SECONDS)
    return value


def cache_set(key, value):
    local, shared = _caches()
    shared.set(key, value, CACHE_SECONDS)
    if local is not None:
        local.set(key, value, CACHE_SECONDS)


def _caches():
    from django.conf import settings
    from django.core.cache import caches

    return (caches["local"] if "local" in settings.CACHES else None), caches["default"]


def cached(company, name, parts, compute):
    """``compute()``, cached under the company's data token (and the active language).

    ``parts`` are whatever else the result depends on (a team, a filter, today). Only
    what is computed from tracked tables (TRACKED in the migration, anomalies and reforecasts
    included) may go in: reads of other tables (tasks, weekly reviews) stay outside, live. Without a token the result is computed live.
    """
    key = cache_key(company, name, parts)
    if key is None:
        return compute()
    value = cache_get(key)
    if value is None:
        value = compute()
        if value is not None:  # None means "not found": not worth keeping
            cache_set(key, value)
    return value
