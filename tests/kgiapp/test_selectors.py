"""The bulk reads behind the dashboard: last twelve values per KPI, North Star progress."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from kgiapp.dashboard import north_star
from metrics.models import KgiStatus
from metrics.selectors import latest_values
from tests.metrics.factories import KgiFactory, KpiFactory, MeasurementFactory


@pytest.mark.django_db
def test_latest_values_returns_the_last_twelve_per_kpi_oldest_first(world):
    a = KpiFactory(company=world.company)
    b = KpiFactory(company=world.company)
    first = date(2025, 1, 6)
    for week in range(20):
        MeasurementFactory(kpi=a, period_start=first + timedelta(weeks=week), value=week)
    MeasurementFactory(kpi=b, period_start=first, value=7)
    values = latest_values([a.pk, b.pk])
    assert [v for _p, v in values[a.pk]] == list(range(8, 20))
    assert values[b.pk] == [(first, Decimal(7))]


@pytest.mark.django_db
def test_north_star_progress_runs_from_baseline_to_target_against_time(world):
    kpi = KpiFactory(company=world.company, unit="JPY", cadence="monthly")
    KgiFactory(company=world.company, kpi=kpi, status=KgiStatus.ACTIVE, baseline=50,
               target=100,
               start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
    MeasurementFactory(kpi=kpi, period_start=date(2026, 6, 1), value=75)
    ns = north_star(world.company, today=date(2026, 7, 2))
    assert ns.current == 75 and ns.reached_pct == pytest.approx(50.0)
    assert ns.time_pct == pytest.approx(182 / 364 * 100)
    assert ns.attainment == pytest.approx(50.0) and ns.days_left == 182  # the world's snapshot
    world.extra["reforecast"].delete()
    assert north_star(world.company, today=date(2026, 7, 2)).attainment is None
    assert not ns.at_target_early


@pytest.mark.django_db
def test_a_monthly_kgi_already_at_its_target_is_not_done_before_its_deadline(world, client):
    kpi = KpiFactory(company=world.company, unit="JPY", cadence="monthly")
    KgiFactory(company=world.company, kpi=kpi, status=KgiStatus.ACTIVE, baseline=50,
               target=100, start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
    MeasurementFactory(kpi=kpi, period_start=date(2026, 6, 1), value=104)
    ns = north_star(world.company, today=date(2026, 7, 2))
    assert ns.reached_pct == 100 and ns.at_target_early
    # On the deadline's last day (or after) the value is the one that counts.
    assert not north_star(world.company, today=date(2026, 12, 31)).at_target_early
    client.force_login(world.user("viewer"))
    client.cookies["kgi_language"] = "en"
    html = client.get(f"/{world.company.slug}/").content.decode()
    assert 'data-testid="ns-target-period">Target for 2026-12</span>' in html
    assert "the target is 2026-12’s value: it has to hold until then" in html
