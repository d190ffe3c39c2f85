"""A reforecast on unchanged numbers reuses every KPI's stored fit; a changed number refits
that KPI only (metrics.analytics.fits)."""
from decimal import Decimal

import numpy as np
import pytest

from engine.forecast import forecast
from metrics.analytics import fits, kgi_outlook
from metrics.analytics.models import ForecastFit
from metrics.analytics.series import kpi_series
from metrics.models import Campaign, Kpi, Measurement
from tests.metrics.analytics.shop import build_shop, month_after_data

pytestmark = pytest.mark.django_db
AS_OF = month_after_data()


@pytest.fixture
def fitted_series(monkeypatch):
    """Counts the series handed to the forecaster (the expensive part)."""
    seen = []
    real = fits.forecast_many

    def counting(requests, levels=fits.LEVELS):
        seen.extend(requests)
        return real(requests, levels=levels)

    monkeypatch.setattr(fits, "forecast_many", counting)
    return seen


def _requests(company, horizon=13):
    series = kpi_series(company, list(Kpi.objects.filter(company=company)), until=AS_OF)
    return [fits.FitRequest(pk, s.values, s.campaign, horizon, s.season_length)
            for pk, s in series.items() if s.periods]


def test_a_second_reforecast_on_the_same_numbers_fits_nothing(fitted_series):
    company, _kgi, _kpis = build_shop()
    first = kgi_outlook(company, as_of=AS_OF, draws=2000)
    assert (first.fit_counts.reused, first.fit_counts.fitted) == (0, 2)
    assert len(fitted_series) == 2
    second = kgi_outlook(company, as_of=AS_OF, draws=2000)
    assert (second.fit_counts.reused, second.fit_counts.fitted) == (2, 0)
    assert len(fitted_series) == 2  # nothing more reached the forecaster
    assert second.probability == first.probability
    assert second.forecasts == first.forecasts
    assert second.leaves == first.leaves


def test_a_changed_number_refits_exactly_that_kpi(fitted_series):
    company, _kgi, kpis = build_shop()
    kgi_outlook(company, as_of=AS_OF, draws=2000)
    keys = dict(ForecastFit.objects.values_list("kpi_id", "key"))
    point = Measurement.objects.filter(kpi=kpis["cvr"]).order_by("-period_start").first()
    Measurement.objects.filter(pk=point.pk).update(value=point.value + Decimal("0.001"))
    fitted_series.clear()
    again = kgi_outlook(company, as_of=AS_OF, draws=2000)
    assert (again.fit_counts.reused, again.fit_counts.fitted) == (1, 1)
    assert len(fitted_series) == 1
    new_keys = dict(ForecastFit.objects.values_list("kpi_id", "key"))
    assert new_keys[kpis["visits"].pk] == keys[kpis["visits"].pk]
    assert new_keys[kpis["cvr"].pk] != keys[kpis["cvr"].pk]


def test_a_stored_fit_is_the_forecast_recomputing_would_give():
    company, _kgi, _kpis = build_shop()
    requests = _requests(company)
    fresh, counts = fits.forecasts_reusing_fits(company, requests)
    stored, again = fits.forecasts_reusing_fits(company, requests)
    assert (counts.fitted, again.reused) == (2, 2)
    for request in requests:
        one = forecast(request.values, request.horizon, request.season_length,
                       exclude=request.exclude)
        for fc in (fresh[request.kpi_id], stored[request.kpi_id]):
            assert np.array_equal(fc.mean, one.mean)
            assert np.array_equal(fc.sigma, one.sigma)
            assert all(np.array_equal(fc.upper[k], one.upper[k]) for k in one.upper)
            assert (fc.method, fc.flags, fc.season_length) == (one.method, one.flags,
                                                              one.season_length)


def test_campaigns_horizon_and_engine_code_are_part_of_the_key(monkeypatch):
    company, _kgi, kpis = build_shop()
    request = next(r for r in _requests(company) if r.kpi_id == kpis["visits"].pk)
    key = fits.fit_key(request)
    assert fits.fit_key(request) == key
    longer = fits.FitRequest(request.kpi_id, request.values, request.exclude, 14,
                             request.season_length)
    assert fits.fit_key(longer) != key
    masked = request.exclude.copy()
    masked[-1] = True
    assert fits.fit_key(fits.FitRequest(request.kpi_id, request.values, masked,
                                        request.horizon, request.season_length)) != key
    record_only = fits.FitRequest(request.kpi_id, request.values, request.exclude,
                                  request.horizon, request.season_length, select=False)
    assert fits.fit_key(record_only) != key
    monkeypatch.setattr(fits, "FORECAST_VERSION", "another engine")
    assert fits.fit_key(request) != key


def test_a_new_campaign_refits_its_kpis(fitted_series):
    company, _kgi, kpis = build_shop()
    kgi_outlook(company, as_of=AS_OF, draws=2000)
    last = Measurement.objects.filter(kpi=kpis["visits"]).order_by("-period_start").first()
    campaign = Campaign.objects.create(company=company, name="Sale", start=last.period_start,
                                       end=last.period_start)
    campaign.kpis.add(kpis["visits"])
    fitted_series.clear()
    again = kgi_outlook(company, as_of=AS_OF, draws=2000)
    assert again.fit_counts.fitted == 1
    assert len(fitted_series) == 1


def test_kpis_outside_the_kgi_tree_are_forecast_without_the_backtest():
    company, _kgi, _kpis = build_shop()
    Kpi.objects.create(company=company, code="calls", name_ja="架電数", name_en="Calls",
                       unit="count", cadence="weekly", aggregation="sum")
    calls = Kpi.objects.get(company=company, code="calls")
    visits = Measurement.objects.filter(company=company, kpi__code="visits")
    Measurement.objects.bulk_create([Measurement(company=company, kpi=calls,
                                                 period_start=m.period_start, value=m.value)
                                     for m in visits])
    outlook = kgi_outlook(company, as_of=AS_OF, draws=1000)
    assert outlook.forecasts["calls"]["method"] == "combo"
    assert "+" in outlook.forecasts["visits"]["method"] or outlook.forecasts["visits"][
        "method"] in {"naive", "ses", "theta", "damped", "combo", "seasonal_naive"}
    assert ForecastFit.objects.get(kpi=calls).facts["candidates"] == {}


def test_fits_belong_to_their_company():
    one, _kgi, _ = build_shop(slug="one")
    other, _kgi, _ = build_shop(slug="other")
    kgi_outlook(one, as_of=AS_OF, draws=1000)
    assert ForecastFit.objects.filter(company=other).count() == 0
    assert kgi_outlook(other, as_of=AS_OF, draws=1000).fit_counts.fitted == 2
