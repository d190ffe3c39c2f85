"""Two writers of one company never wait on each other, and pages stay fresh after each commit.

Real commits on two real PostgreSQL connections (a thread holds an import open), so the
data token changes at COMMIT as in production (teams.dataversion).
"""
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction

from metrics.facts.models import KpiFact
from metrics.measurements import Entry, measurement_upsert, measurements_bulk_upsert
from teams.models import CompanyDataVersion
from tests.metrics.factories import KpiFactory, MeasurementFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = date(2026, 1, 5)


def token(company):
    return CompanyDataVersion.objects.get(company=company).token


def version(kpi):
    """The KPI's fact version: what a write of its numbers changes (metrics.facts)."""
    return KpiFact.objects.get(kpi=kpi).version


@pytest.fixture
def shop(client):
    if connection.vendor != "postgresql":
        pytest.skip("the commit-time token is PostgreSQL's; SQLite has one writer at a time")
    world = build_world()
    kpis = {}
    for code in ("orders", "visits"):
        kpis[code] = KpiFactory(company=world.company, code=code, name_en=code.title(),
                                team=world.team, focus="active", unit="count")
        for week in range(4):
            MeasurementFactory(kpi=kpis[code], period_start=MONDAY + timedelta(weeks=week),
                               value=1000 + week)
    client.force_login(world.user("admin"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return world, kpis


class OpenImport(threading.Thread):
    """An import on its own connection that writes, then stays uncommitted until released."""

    def __init__(self, company, kpi, value):
        super().__init__(daemon=True)
        self.company, self.kpi, self.value = company, kpi, value
        self.written, self.release = threading.Event(), threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                entries = [Entry(self.kpi, MONDAY + timedelta(weeks=w), self.value, str(w))
                           for w in range(4)]
                measurements_bulk_upsert(company=self.company, entries=entries)
                self.written.set()
                assert self.release.wait(30), "never released"
        except Exception as error:  # reported by the test, not lost in the thread
            self.error = error
            self.written.set()
        finally:
            connections.close_all()


def grid_write(company, kpi, value):
    """A grid cell saved in its own transaction; fails instead of waiting if it is blocked."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        measurement_upsert(company=company, kpi=kpi, period=MONDAY + timedelta(weeks=3),
                           value=Decimal(value))


def test_an_open_import_does_not_block_a_grid_write_and_pages_follow_each_commit(shop, client):
    world, kpis = shop
    url = "/acme/kpis/visits/"
    assert "1,003" in client.get(url).content.decode()
    assert "1,003" in client.get("/acme/kpis/orders/").content.decode()
    before, company_token = version(kpis["visits"]), token(world.company)
    orders_before = version(kpis["orders"])

    importer = OpenImport(world.company, kpis["orders"], Decimal("7777"))
    importer.start()
    assert importer.written.wait(30)
    assert importer.error is None, importer.error
    try:
        # The import has written the company's numbers and holds its transaction open:
        # the grid write of the same company still goes through (lock_timeout would raise).
        grid_write(world.company, kpis["visits"], "4321")
        after_grid = version(kpis["visits"])
        assert after_grid != before
        assert token(world.company) == company_token  # no company-wide row written
        assert "4,321" in client.get(url).content.decode()
        # The import is not committed: its numbers are not on the page yet.
        assert "7,777" not in client.get("/acme/kpis/orders/").content.decode()
    finally:
        importer.release.set()
        importer.join(30)
    assert importer.error is None, importer.error
    assert version(kpis["orders"]) != orders_before and version(kpis["visits"]) == after_grid
    assert token(world.company) == company_token
    assert "7,777" in client.get("/acme/kpis/orders/").content.decode()
    assert "4,321" in client.get(url).content.decode()


def test_a_rolled_back_import_leaves_the_token_and_the_page_alone(shop, client):
    world, kpis = shop
    assert "1,003" in client.get("/acme/kpis/orders/").content.decode()
    before = version(kpis["orders"])
    with pytest.raises(RuntimeError), transaction.atomic():
        measurements_bulk_upsert(company=world.company, entries=[
            Entry(kpis["orders"], MONDAY + timedelta(weeks=3), Decimal("555"), "1")])
        raise RuntimeError("import failed")
    assert version(kpis["orders"]) == before
    assert "1,003" in client.get("/acme/kpis/orders/").content.decode()


def test_raw_sql_and_a_savepoint_rolled_back_inside_one_commit(shop, client):
    world, kpis = shop
    assert "1,003" in client.get("/acme/kpis/orders/").content.decode()
    before = version(kpis["orders"])
    with transaction.atomic():
        # The first note of the transaction is rolled back with its savepoint …
        with pytest.raises(RuntimeError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE metrics_measurement SET value = 1 WHERE kpi_id = %s",
                               [kpis["visits"].pk])
            raise RuntimeError
        # … so this raw write must note the company again, or the page would stay stale.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE metrics_measurement SET value = 9876 WHERE kpi_id = %s "
                           "AND period_start = %s", [kpis["orders"].pk, MONDAY + timedelta(weeks=3)])
    assert version(kpis["orders"]) != before
    assert "9,876" in client.get("/acme/kpis/orders/").content.decode()
