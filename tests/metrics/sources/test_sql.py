"""SQL sources against a second PostgreSQL database acting as the warehouse (issue 21)."""
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.utils import translation

from metrics.models import Measurement
from metrics.sources import secrets
from metrics.sources.fetch import FetchError, fetch_sql
from metrics.sources.services import SourceInvalid, source_create, source_run
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(db):
    """A database of its own with a sales table; its DSN."""
    if connection.vendor != "postgresql":
        pytest.skip("the warehouse is a PostgreSQL database next to the test database")
    params = connection.settings_dict
    name = f"{params['NAME']}_warehouse"[:60]
    server = (f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:"
              f"{params['PORT'] or 5432}")
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{server}/{name}"
    with psycopg.connect(dsn, autocommit=True) as wh:
        wh.execute("CREATE TABLE sales (metric text, week date, amount numeric)")
        wh.execute("INSERT INTO sales VALUES ('Revenue', '2026-01-05', 1200), "
                   "('Revenue', '2026-01-12', 1300), ('visits', '2026-01-05', 40)")
    yield dsn
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def kpis(world, settings):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    return {code: KpiFactory(company=world.company, code=code, name_en=code.title(),
                             name_ja=code, team=world.team, cadence="weekly")
            for code in ("revenue", "visits")}


def sql_source(world, dsn, query, **extra):
    source, _secret = source_create(company=world.company, owner=world.user("admin"),
                                    name="Warehouse", kind="sql", dsn=dsn, query=query, **extra)
    return source


QUERY = "SELECT metric AS kpi, week AS period, amount AS value FROM sales"


def test_rows_land_and_an_unchanged_run_changes_nothing(world, kpis, warehouse):
    source = sql_source(world, warehouse, QUERY)
    run = source_run(source=source, key="now:1")
    assert (run.status, run.error, run.new_count) == ("done", "", 3)
    assert {m.period_start: m.value for m in Measurement.objects.filter(kpi=kpis["revenue"])} \
        == {date(2026, 1, 5): Decimal("1200"), date(2026, 1, 12): Decimal("1300")}
    again = source_run(source=source, key="now:2")
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 3)


def test_the_connection_string_is_stored_encrypted(world, kpis, warehouse):
    source = sql_source(world, warehouse, QUERY)
    assert warehouse.encode() not in bytes(source.secret)
    assert secrets.decrypt(source.secret) == warehouse


def test_a_mapped_wide_query(world, kpis, warehouse):
    source = sql_source(world, warehouse,
                        "SELECT week, sum(amount) FILTER (WHERE metric = 'visits') AS v "
                        "FROM sales GROUP BY week ORDER BY week",
                        mapping={"week": "period", "v": "visits"})
    run = source_run(source=source, key="now:1")
    assert run.status == "done", run.error
    assert Measurement.objects.get(kpi=kpis["visits"], period_start=date(2026, 1, 5)).value == 40


@pytest.mark.parametrize("query, reason", [
    ("INSERT INTO sales VALUES ('visits', '2026-02-02', 1) RETURNING *", "read-only"),
    ("SELECT nonsense FROM sales", "nonsense"),
    ("SELECT * FROM sales; DROP TABLE sales", "syntax"),  # one statement only
])
def test_a_failing_query_writes_nothing_anywhere_and_says_why(world, kpis, warehouse, query,
                                                              reason):
    run = source_run(source=sql_source(world, warehouse, query), key="now:1")
    assert run.status == "failed" and reason in run.error
    assert not Measurement.objects.filter(kpi__company=world.company).exists()
    with psycopg.connect(warehouse) as wh:
        assert wh.execute("SELECT count(*) FROM sales").fetchone()[0] == 3


def test_the_row_cap_and_the_statement_timeout(warehouse, settings):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    with translation.override("en"), pytest.raises(FetchError, match="more than 2 rows"):
        fetch_sql(warehouse, QUERY, max_rows=2)
    with translation.override("en"), pytest.raises(FetchError, match="longer than"):
        fetch_sql(warehouse, "SELECT pg_sleep(5)", timeout_ms=100)


def test_a_private_warehouse_is_refused_unless_allowed(world, kpis, warehouse, settings):
    source = sql_source(world, warehouse, QUERY)  # allowed when it was saved
    settings.SOURCES_ALLOWED_HOSTS = []
    with translation.override("en"), pytest.raises(SourceInvalid) as refused:
        source_create(company=world.company, owner=world.user("admin"), name="Again",
                      kind="sql", dsn=warehouse, query=QUERY)
    assert "private network" in refused.value.errors["dsn"]
    run = source_run(source=source, key="now:1")
    assert run.status == "failed" and "プライベートネットワーク" in run.error  # the company speaks ja
