"""A company-wide dashboard column shows its six most pressing KPIs (focus, then off track →
at risk → on track → no target, then code) and counts the rest, however its facts were
written: through the writers, by a focus switch, or around them (a stale fact)."""
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from kgiapp.dashboard import COLUMN_LIMIT, dashboard
from metrics.facts.models import KpiFact
from metrics.facts.store import facts_compute
from metrics.measurements import measurement_upsert
from metrics.models import Kpi
from metrics.targets import target_set
from tests.metrics.factories import KpiFactory, MeasurementFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 20)
# code: (focus, latest value); every KPI but the no_* ones has a target of 100.
COLUMN = {"f_on": (True, 120), "f_off": (True, 10), "m_off1": (False, 20), "m_off2": (False, 30),
          "m_risk": (False, 95), "m_on1": (False, 100), "m_on2": (False, 150),
          "no_a": (False, 100), "no_b": (False, 100)}


@pytest.fixture
def column():
    world = build_world()
    kpis = {}
    for code, (focus, value) in COLUMN.items():
        kpi = KpiFactory(company=world.company, team=world.team, code=code, cadence="monthly",
                         phase="revenue", aggregation="last", direction="higher", unit="count",
                         focus="active" if focus else "monitoring")
        measurement_upsert(company=world.company, kpi=kpi, period=MONTH, value=Decimal(value))
        if not code.startswith("no_"):
            target_set(kpi=kpi, period=MONTH, value="100")
        kpis[code] = kpi
    vanity = KpiFactory(company=world.company, code="followers", cadence="monthly",
                        phase="revenue", aggregation="last", is_vanity=True, unit="count")
    measurement_upsert(company=world.company, kpi=vanity, period=MONTH, value=Decimal(1))
    target_set(kpi=vanity, period=MONTH, value="100")
    return world, kpis


def _column(company):
    page = dashboard(company, today=TODAY)
    layer = next(layer for layer in page["layers"] if layer["cadence"] == "monthly")
    phase = next(p for p in layer["phases"] if p["phase"] == "revenue")
    return {r.code: r.status for r in phase["rows"]}, phase["hidden"], page


def test_a_column_shows_focus_then_attention_and_counts_the_rest(column):
    world, _kpis = column
    shown, hidden, page = _column(world.company)
    assert shown == {"f_off": "off_track", "f_on": "on_track", "m_off1": "off_track",
                     "m_off2": "off_track", "m_risk": "at_risk", "m_on1": "on_track"}
    assert len(shown) == COLUMN_LIMIT and hidden == 3
    # The counts are the company's non-vanity KPIs, by the status their numbers give.
    kpis = list(Kpi.objects.filter(company=world.company, is_vanity=False))
    live = facts_compute(world.company, kpis, today=TODAY)
    assert page["kpi_count"] == len(kpis) >= 9
    assert page["status_counts"] == dict(Counter(f["status"] for f in live.values()))


def test_a_focus_switch_and_a_new_number_move_cards_in_and_out(column):
    world, kpis = column
    kpis["no_b"].focus = "active"
    kpis["no_b"].save()  # a plain save: the KPI's trigger keeps its fact's rank
    measurement_upsert(company=world.company, kpi=kpis["m_on2"], period=MONTH,
                       value=Decimal(5))  # now off track
    shown, hidden, _page = _column(world.company)
    assert set(shown) == {"f_off", "f_on", "no_b", "m_off1", "m_off2", "m_on2"}
    assert hidden == 3


def test_a_stale_fact_is_ranked_by_what_the_numbers_say(column):
    world, kpis = column
    # Written around the writer: the fact is marked dirty, its stored status is stale.
    MeasurementFactory(kpi=kpis["m_on2"], period_start=date(2026, 11, 1), value=1)
    assert KpiFact.objects.get(kpi=kpis["m_on2"]).dirty
    shown, hidden, _page = _column(world.company)
    assert shown["m_on2"] == "off_track" and "m_on1" not in shown and hidden == 3


def test_the_kgi_kpi_outside_the_top_of_its_column_is_no_card(column):
    from tests.metrics.factories import KgiFactory

    world, kpis = column
    KgiFactory(company=world.company, kpi=kpis["no_a"], status="active", unit="count",
               start_date=date(2026, 1, 1), deadline=date(2027, 3, 31))
    shown, _hidden, page = _column(world.company)
    assert "no_a" not in shown
    assert page["north_star"].current == 100  # still read for the North Star
