"""The reforecast reads the numbers and stores the fits set-based on PostgreSQL (one statement
each), with the same results as the ORM (metrics.analytics.series, metrics.analytics.fits)."""
import hashlib
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast

from core.calendar import next_period, period_grid
from metrics.analytics import fits, kgi_outlook, series
from metrics.analytics.models import ForecastFit
from metrics.analytics.series import campaign_spans, kpi_series
from metrics.models import Campaign, Kgi, Kpi, Measurement
from tests.kgiapp.bigorg import build_org

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the set-based statements are PostgreSQL's")
AS_OF = date(2026, 10, 1)
# The fixture's figures as the code before the set-based reads and writes computed them
# (d31b154: ORM rows, bulk_create; PostgreSQL 15, numpy 2, draws=4000).
PINNED = (0.45225, 13739.869952279265, 16250.684787936032, 19077.5753634621)
SERIES_DIGEST = "f9f4878c25a6cb35dd0daf2fb0282ee9d31f74685fc745a1492f1d2c23d63937"
FORECASTS_DIGEST = "d1f596ad156af86cd203ac6e3acb5f32d3ee7807154d22a72e8ac034b2439068"
SENSITIVITY_DIGEST = "b8ee28752cf1153b28a15517c761d09a9fcd7223c25f961b557ed7703eadb2c8"
# The fits: their bands rounded to 8 significant digits (re-pinned from 2ebacd4, whose fits
# are d31b154's bit for bit on the machine that pinned them).
FITS_DIGEST = "20f40bc784934042229578639d6827a2c05499f2336d743c950f53a5ea16eeec"


@pytest.fixture
def org():
    """3 teams × 10 KPIs × 40 weeks: weekly, monthly (numbers dated off the month's start)
    and daily KPIs, values with four decimals that depend on the code and the day only (not
    on primary keys), a gap, a campaign, a KPI without numbers and a reachable target."""
    company, _user, _teams, _kpis = build_org("reads", teams=3, kpis_per_team=10, periods=40,
                                              refresh_facts=False)
    rows = list(Measurement.objects.filter(company=company).select_related("kpi"))
    for m in rows:
        n = (m.period_start - date(2026, 1, 5)).days
        seed = sum(ord(ch) * (i + 1) for i, ch in enumerate(m.kpi.code))
        m.value = (Decimal(1000 + (n * 37 + seed) % 400)
                   + Decimal("0.0001") * ((n * 7919 + seed) % 10000))
    Measurement.objects.bulk_update(rows, ["value"])
    kpis = {k.code: k for k in Kpi.objects.filter(company=company)}
    Measurement.objects.filter(kpi=kpis["t1_k2"], period_start=date(2026, 3, 2)).delete()
    sale = Campaign.objects.create(company=company, name="Sale", start=date(2026, 4, 6),
                                   end=date(2026, 4, 19))
    sale.kpis.add(kpis["t0_k2"], kpis["t1_k9"])
    Kpi.objects.create(company=company, code="empty", name_ja="空", name_en="Empty",
                       unit="count", cadence="weekly")
    Kgi.objects.filter(company=company).update(target=Decimal(16500))
    return company


def _reference_series(company, kpis, until):
    """The series as read before the set-based statement: Decimal cast to float by the
    database, one dict of points per KPI, the grid looked up day by day."""
    raw = defaultdict(dict)
    qs = Measurement.objects.filter(company=company, kpi__in=kpis).order_by()
    if until is not None:
        qs = qs.filter(period_start__lt=until)
    for kpi_id, day, value in qs.values_list("kpi_id", "period_start",
                                             Cast("value", FloatField())):
        raw[kpi_id][day] = value
    spans = campaign_spans(company)
    out = {}
    for kpi in kpis:
        points = raw.get(kpi.pk, {})
        grid = period_grid(min(points), max(points), kpi.cadence) if points else []
        values = np.array([points.get(day, np.nan) for day in grid], dtype=float)
        campaign = np.array([any(day <= end and next_period(day, kpi.cadence) > start
                                 for start, end in spans.get(kpi.pk, ()))
                             for day in grid], dtype=bool)
        out[kpi.pk] = (grid, values, campaign)
    return out


def _same_series(got, kpis, want):
    assert set(got) == {k.pk for k in kpis}
    for kpi in kpis:
        grid, values, campaign = want[kpi.pk]
        item = got[kpi.pk]
        assert item.kpi == kpi
        assert item.periods == grid, kpi.code
        assert item.values.dtype == np.float64
        assert item.values.tobytes() == values.tobytes(), kpi.code  # bit for bit, NaN too
        assert np.array_equal(item.campaign, campaign), kpi.code


@pytest.mark.parametrize("until", [AS_OF, None, date(2026, 2, 10), date(2020, 1, 1)])
def test_the_series_are_the_ones_read_row_by_row(org, until):
    kpis = list(Kpi.objects.filter(company=org))
    got = kpi_series(org, kpis, until=until)
    _same_series(got, kpis, _reference_series(org, kpis, until))
    monthly = next(k for k in kpis if k.code == "t1_k9")
    if until == AS_OF:
        # Numbers dated off the grid's days are left out of a monthly grid, as before.
        numbers = Measurement.objects.filter(kpi=monthly, period_start__lt=until).count()
        assert len(got[monthly.pk].periods) == 9
        assert 1 < np.isfinite(got[monthly.pk].values).sum() < numbers
        assert got[monthly.pk].campaign.any()
        assert got[next(k.pk for k in kpis if k.code == "empty")].periods == []


@on_postgresql
def test_the_statement_and_the_orm_read_the_same_numbers(org):
    kpi_ids = list(Kpi.objects.filter(company=org).values_list("pk", flat=True))
    for until in (AS_OF, None):
        fast = series._points_postgresql(org, kpi_ids, until)
        slow = series._points_orm(org, kpi_ids, until)
        assert fast.keys() == slow.keys()
        for kpi_id, (days, values) in slow.items():
            assert fast[kpi_id][0].tolist() == days.tolist()
            assert fast[kpi_id][1].tobytes() == values.tobytes()


def _significant(values: np.ndarray, digits: int = 8) -> np.ndarray:
    """``values`` to ``digits`` significant digits: what a pinned figure keeps of a float,
    whose last bits differ with the CPU's vector instructions (BLAS kernels)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values))))
        return np.where(np.isfinite(scale) & (values != 0), np.round(values * scale) / scale,
                        values)


def _fits(company):
    return {kpi_id: (key, bytes(bands), facts) for kpi_id, key, bands, facts in
            ForecastFit.objects.filter(company=company).values_list(
                "kpi_id", "key", "bands", "facts")}


def _outlook_figures(company):
    outlook = kgi_outlook(company, as_of=AS_OF, draws=4000)
    return ((outlook.probability, outlook.p10, outlook.p50, outlook.p90),
            json.dumps(outlook.forecasts, sort_keys=True),
            json.dumps(outlook.sensitivity, sort_keys=True), outlook.fit_counts)


@on_postgresql
def test_the_reforecast_is_the_same_through_the_statements_and_the_orm(org, monkeypatch):
    fast = _outlook_figures(org)
    stored = _fits(org)
    assert fast[3].fitted == len(stored) == 31
    ForecastFit.objects.filter(company=org).delete()
    monkeypatch.setattr(series, "_points_postgresql", series._points_orm)
    monkeypatch.setattr(fits, "_store_postgresql", fits._store_orm)
    assert _outlook_figures(org) == fast
    assert _fits(org) == stored


@on_postgresql
def test_the_upsert_replaces_a_kpis_fit_and_keeps_the_others(org):
    kpis = {k.code: k.pk for k in Kpi.objects.filter(company=org)}
    kgi_outlook(org, as_of=AS_OF, draws=1000)
    before = _fits(org)
    changed = (kpis["t0_k0"], "k" * 64, b"\x00" * 16, {"method": "naive", "flags": []})
    fits._store(org, [changed])
    after = _fits(org)
    assert after[kpis["t0_k0"]] == changed[1:]
    assert {k: v for k, v in after.items() if k != kpis["t0_k0"]} == {
        k: v for k, v in before.items() if k != kpis["t0_k0"]}
    again = kgi_outlook(org, as_of=AS_OF, draws=1000)
    assert (again.fit_counts.reused, again.fit_counts.fitted) == (30, 1)
    assert _fits(org) == before


@on_postgresql
def test_the_reforecast_is_pinned(org):
    """The figures the code before the set-based reads and writes computed (PINNED): the
    same series, probability, p10/p50/p90, forecasts, ranking and stored fits: the series bit
    for bit, computed floats to 12 (figures) and 8 (fits' bands) significant digits, since
    their last bits depend on the CPU's BLAS kernels. (A change of the forecasting engine
    changes them too: then re-pin from its commit.)"""
    kpis = list(Kpi.objects.filter(company=org))
    digest = hashlib.sha256()
    for item in sorted(kpi_series(org, kpis, until=AS_OF).values(), key=lambda s: s.kpi.code):
        digest.update(repr((item.kpi.code, [d.isoformat() for d in item.periods])).encode())
        digest.update(item.values.tobytes())
        digest.update(item.campaign.tobytes())
    assert digest.hexdigest() == SERIES_DIGEST
    figures, forecasts, sensitivity, _counts = _outlook_figures(org)
    assert figures == pytest.approx(PINNED, rel=1e-12)
    assert hashlib.sha256(forecasts.encode()).hexdigest() == FORECASTS_DIGEST
    assert hashlib.sha256(sensitivity.encode()).hexdigest() == SENSITIVITY_DIGEST
    fitted = hashlib.sha256()
    codes = {k.pk: k.code for k in kpis}
    for kpi_id, (key, bands, facts) in sorted(_fits(org).items(), key=lambda i: codes[i[0]]):
        fitted.update(repr((codes[kpi_id], key, sorted(facts.items()))).encode())
        fitted.update(_significant(np.frombuffer(bands, dtype="<f8")).tobytes())
    assert fitted.hexdigest() == FITS_DIGEST
