"""Reads whose plan must not depend on the planner's statistics (a restore before ANALYZE).

Without statistics PostgreSQL guesses a handful of rows per table: a join of the company's
KPIs with their targets became a nested loop of every target × every KPI (7.2 s at 300
teams instead of 3 ms; bench/scale_bench.py --no-statistics).
"""
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from metrics.facts.store import load_plan
from tests.kgiapp.bigorg import build_org

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="PostgreSQL's planner")


def _forget_statistics(*tables):
    """As a fresh restore: no column statistics, unknown row counts (undone with the test's
    transaction; needs a superuser, as the project's databases run in CI)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
                cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 "
                               "WHERE oid = %s::regclass", [table])
    except DatabaseError as error:
        pytest.skip(f"cannot forget statistics here: {error}")


@pytest.mark.django_db
def test_a_companys_targets_are_read_without_a_join_whatever_the_statistics():
    company, _user, _teams, kpis = build_org("plans", teams=3, kpis_per_team=9, periods=2,
                                            refresh_facts=False)
    _forget_statistics("metrics_target", "metrics_kpi")
    with CaptureQueriesContext(connection) as ctx:
        plan = load_plan(company)
    (query,) = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert "Join" not in explained and "Nested Loop" not in explained, explained
    assert sorted(plan.by_kpi) == sorted(k.pk for k in kpis[::2])


@pytest.mark.django_db(transaction=True)
def test_facts_refresh_leaves_the_facts_all_visible_for_index_only_counts():
    """After a restore, ``manage.py facts_refresh`` (the release step) rewrites every fact;
    it vacuums them, so the dashboard's column counts are an index-only scan at once rather
    than a scan of every fact until autovacuum comes by."""
    from django.core.management import call_command

    build_org("vacuumed", teams=3, kpis_per_team=9, periods=2, refresh_facts=False)
    call_command("facts_refresh", "--all", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class "
                       "WHERE oid = 'metrics_kpifact'::regclass")
        pages, visible = cursor.fetchone()
    assert pages > 0 and visible == pages
