"""The stored per-KPI facts are right after every kind of write (metrics.facts)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from metrics.facts.models import KpiFact
from metrics.facts.store import facts_compute, facts_refresh
from metrics.measurements import Entry, measurement_upsert, measurements_bulk_upsert
from metrics.services import kpi_update
from metrics.targets import target_set
from tests.metrics.factories import KgiFactory, KpiFactory, MeasurementFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 1, 5)


@pytest.fixture
def shop():
    world = build_world()
    orders = KpiFactory(company=world.company, code="orders", team=world.team, unit="count",
                        cadence="weekly", direction="higher")
    visits = KpiFactory(company=world.company, code="visits", team=world.team, unit="count",
                        cadence="weekly")
    rate = KpiFactory(company=world.company, code="rate", team=world.team, unit="count",
                      cadence="weekly", formula="orders / visits")
    KgiFactory(company=world.company, kpi=orders, status="active",
               start_date=date(2025, 10, 1), deadline=date(2027, 3, 31))
    return world, orders, visits, rate


def fact(kpi):
    return KpiFact.objects.get(kpi=kpi)


def test_a_grid_edit_stores_latest_previous_points_and_the_computed_kpi(shop):
    world, orders, visits, rate = shop
    for week, (o, v) in enumerate([(10, 100), (12, 100), (15, 120)]):
        measurements_bulk_upsert(company=world.company, entries=[
            Entry(orders, MONDAY + timedelta(weeks=week), Decimal(o), "o"),
            Entry(visits, MONDAY + timedelta(weeks=week), Decimal(v), "v")])
    measurement_upsert(company=world.company, kpi=orders, period=MONDAY + timedelta(weeks=2),
                       value=Decimal(18))
    f = fact(orders)
    assert not f.dirty
    assert (f.latest_period, f.latest, f.previous) == (MONDAY + timedelta(weeks=2), 18, 12)
    assert [v for _p, v in f.series] == ["10.0000", "12.0000", "18.0000"]
    # The computed KPI written by the same writer has its fact too.
    assert fact(rate).latest == Decimal("0.15") and not fact(rate).dirty


def test_an_import_of_many_kpis_stores_every_fact_in_the_same_transaction(shop):
    world, orders, visits, _rate = shop
    entries = [Entry(kpi, MONDAY + timedelta(weeks=w), Decimal(100 + w), f"{kpi.code}{w}")
               for kpi in (orders, visits) for w in range(20)]
    measurements_bulk_upsert(company=world.company, entries=entries)
    for kpi in (orders, visits):
        f = fact(kpi)
        assert f.latest == 119 and f.previous == 118 and len(f.series) == 14
        assert f.series[0][0] == (MONDAY + timedelta(weeks=6)).isoformat()


def test_a_target_change_moves_the_status(shop):
    world, orders, _visits, _rate = shop
    measurement_upsert(company=world.company, kpi=orders, period=MONDAY, value=Decimal(100))
    assert fact(orders).status == "no_target"
    target_set(kpi=orders, period=MONDAY, value="1000")  # a month's sum: ~226 a week
    assert (fact(orders).status, fact(orders).dirty) == ("off_track", False)
    target_set(kpi=orders, period=MONDAY, value="430")  # ~97 a week: on track
    assert fact(orders).status == "on_track"
    kpi_update(kpi=orders, direction="lower")
    assert fact(orders).status == "at_risk"


def test_a_write_around_the_writer_marks_the_fact_dirty_and_readers_compute_it(shop):
    world, orders, _visits, _rate = shop
    measurement_upsert(company=world.company, kpi=orders, period=MONDAY, value=Decimal(5))
    MeasurementFactory(kpi=orders, period_start=MONDAY + timedelta(weeks=1), value=7)
    f = fact(orders)
    assert f.dirty and f.latest == 5  # stale, and says so
    live = facts_compute(world.company, [orders])[orders.pk]
    assert live["latest"] == 7 and live["previous"] == 5
    facts_refresh(world.company)
    assert (fact(orders).latest, fact(orders).dirty) == (7, False)


def test_the_dashboard_and_team_page_show_facts_after_a_grid_edit(shop, client):
    world, orders, _visits, _rate = shop
    orders.focus = "active"
    orders.save()
    measurement_upsert(company=world.company, kpi=orders, period=MONDAY, value=Decimal(1234))
    client.force_login(world.user("admin"))
    client.cookies["django_language"] = "en"
    for url in ("/acme/", "/acme/teams/sales/"):
        assert "1,234" in client.get(url).content.decode()
    measurement_upsert(company=world.company, kpi=orders, period=MONDAY, value=Decimal(4321))
    for url in ("/acme/", "/acme/teams/sales/"):
        html = client.get(url).content.decode()
        assert "4,321" in html and "1,234" not in html


def test_every_kpi_has_a_fact_that_follows_its_ranked_columns(shop):
    _world, orders, visits, _rate = shop
    f = fact(visits)  # no numbers, no targets: an empty, clean fact
    assert (f.dirty, f.status, f.attention, f.latest) == (False, "no_target", 3, None)
    assert (f.code, f.cadence, f.is_focus, f.is_vanity) == ("visits", "weekly", False, False)
    visits.focus, visits.phase, visits.code = "active", "retention", "visits2"
    visits.save()  # not through a service: the KPI's trigger copies what the dashboard ranks
    f = fact(visits)
    assert (f.is_focus, f.phase, f.code, f.dirty) == (True, "retention", "visits2", False)
    orders.direction = "lower"
    orders.save()  # its status may move: stale until refreshed
    assert fact(orders).dirty
    measurement_upsert(company=orders.company, kpi=orders, period=MONDAY, value=Decimal(3))
    target_set(kpi=orders, period=MONDAY, value="1")
    assert (fact(orders).status, fact(orders).attention, fact(orders).dirty) == (
        "off_track", 0, False)


def test_the_sparkline_is_drawn_when_the_fact_is_stored_and_read_from_it(shop, client):
    from core.formatting import spark_points

    world, orders, _visits, _rate = shop
    orders.focus = "active"
    orders.save()
    for week, value in enumerate([10, 12, 15]):
        measurement_upsert(company=world.company, kpi=orders,
                           period=MONDAY + timedelta(weeks=week), value=Decimal(value))
    assert fact(orders).spark == spark_points([10, 12, 15]) != ""
    client.force_login(world.user("admin"))
    # The page prints the stored points (a fact stored before the column existed, with no
    # points stored, still gets its line drawn from the series).
    KpiFact.objects.filter(kpi=orders).update(spark="1.0,2.0 3.0,4.0")
    for url in ("/acme/", "/acme/teams/sales/"):
        assert 'points="1.0,2.0 3.0,4.0"' in client.get(url).content.decode(), url
    KpiFact.objects.filter(kpi=orders).update(spark="")
    for url in ("/acme/", "/acme/teams/sales/"):
        assert f'points="{spark_points([10, 12, 15])}"' in client.get(url).content.decode()
