"""Forecasting many series at once gives each series' own forecast (engine.forecast_many)."""
import numpy as np
import pytest

from engine.forecast import forecast, forecast_many
from engine.smoothing import _fit_grids, fit_grids_many


def _random_requests(seed=7, count=120):
    rng = np.random.default_rng(seed)
    requests = []
    for i in range(count):
        n = int(rng.integers(2, 330))
        m = (1, 4, 7, 12, 52)[i % 5]
        t = np.arange(n)
        y = (rng.uniform(-50, 500) + rng.normal(0, 0.5) * t
             + rng.uniform(0, 30) * np.sin(2 * np.pi * t / max(m, 2)) + rng.normal(0, 8, n))
        if i % 6 == 0:
            y[rng.integers(0, n, 3)] = np.nan  # gaps, a stale end now and then
        if i % 13 == 0:
            y = np.full(n, 42.0)
        exclude = rng.random(n) < 0.05 if i % 4 == 0 else None
        requests.append((y, int(rng.integers(1, 60)), m, exclude, i % 3 != 0))
    return requests


def test_grid_fits_of_many_series_are_bit_identical_to_fitting_each():
    rng = np.random.default_rng(3)
    arrays = [rng.normal(100, 10, int(n)).cumsum() for n in rng.integers(2, 200, 60)]
    arrays += [rng.normal(0, 1, 40) for _ in range(5)]  # several of one length
    arrays += [rng.normal(50, 5, 30).cumsum() for _ in range(250)]  # blocks of one length
    for x, batched in zip(arrays, fit_grids_many(arrays)):
        for one, many in zip(_fit_grids(x), batched):
            assert np.array_equal(one, many)


def test_forecast_many_equals_forecasting_each_series():
    requests = _random_requests()
    for request, many in zip(requests, forecast_many(requests)):
        y, horizon, m, exclude, select = request
        one = forecast(y, horizon, m, exclude, select=select)
        assert (many.method, many.flags, many.seasonal) == (one.method, one.flags, one.seasonal)
        np.testing.assert_allclose(many.mean, one.mean, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(many.sigma, one.sigma, rtol=1e-9, atol=1e-9)
        for level in one.lower:
            np.testing.assert_allclose(many.lower[level], one.lower[level], rtol=1e-9,
                                       atol=1e-9)
        if np.isfinite(one.backtest_score):
            assert many.backtest_score == pytest.approx(one.backtest_score, rel=1e-9)


def test_without_selection_the_record_forecast_is_the_combination_and_skips_the_backtest():
    rng = np.random.default_rng(5)
    y = 100 + np.cumsum(rng.normal(0, 3, 120))
    fc = forecast(y, 13, 52, select=False)
    assert fc.method == "combo"
    assert not fc.candidates  # nothing was scored
    assert forecast(y, 13, 52).candidates
    assert forecast(y[:3], 13, 52, select=False).method == "naive_mean"  # too short to fit


def test_forecast_many_of_nothing_is_nothing():
    assert forecast_many([]) == []
