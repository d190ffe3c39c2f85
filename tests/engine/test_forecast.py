"""Forecast engine: accuracy on known shapes, honest intervals, and odd inputs."""


import numpy as np
import pytest

from engine.forecast import Forecast, forecast


def mape(actual, pred):
    return float(np.mean(np.abs(pred - actual) / np.abs(actual)) * 100)


def seasonal_monthly(t):
    return (100 + 2 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))


def test_pure_seasonal_series_with_trend_is_forecast_within_one_percent():
    t = np.arange(60)
    fc = forecast(seasonal_monthly(t), 12, 12)
    assert fc.seasonal
    assert mape(seasonal_monthly(np.arange(60, 72)), fc.mean) < 1.0


def test_two_seasons_of_a_clean_pattern_are_repeated_by_seasonal_naive():
    t = np.arange(104)
    y = 100 + 20 * np.sin(2 * np.pi * t / 52)
    fc = forecast(y, 13, 52)
    assert fc.method == "seasonal_naive"
    assert mape(100 + 20 * np.sin(2 * np.pi * np.arange(104, 117) / 52), fc.mean) < 1.0


def test_trending_noisy_series_beats_the_naive_forecast():
    rng = np.random.default_rng(7)
    t = np.arange(120)
    y = 50 + 0.8 * t + rng.normal(0, 1.5, t.size)
    fc = forecast(y, 10, 1)
    future = 50 + 0.8 * np.arange(120, 130)
    assert mape(future, fc.mean) < mape(future, np.full(10, y[-1]))
    assert fc.mean[-1] > fc.mean[0]


def test_intervals_cover_about_their_level_on_white_noise():
    rng = np.random.default_rng(3)
    fc = forecast(50 + rng.normal(0, 2, 200), 10, 1)
    future = 50 + rng.normal(0, 2, (4000, 10))
    cover80 = np.mean((future > fc.lower[80]) & (future < fc.upper[80]))
    cover95 = np.mean((future > fc.lower[95]) & (future < fc.upper[95]))
    assert 0.72 < cover80 < 0.93
    assert 0.90 < cover95 < 0.995


def test_intervals_are_nested_and_never_narrow_with_the_horizon():
    rng = np.random.default_rng(0)
    fc = forecast(np.cumsum(rng.normal(0, 1, 150)) + 100, 8, 1)
    assert np.all(fc.lower[95] <= fc.lower[80]) and np.all(fc.upper[80] <= fc.upper[95])
    width = fc.upper[95] - fc.lower[95]
    assert np.all(np.diff(width) >= -1e-9) and width[0] > 0


def test_empty_and_all_missing_series_give_nan_and_the_empty_flag():
    for y in (np.array([]), np.full(6, np.nan)):
        fc = forecast(y, 4, 12)
        assert fc.flags == ("empty",)
        assert fc.mean.shape == (4,) and np.isnan(fc.mean).all()


def test_short_series_is_flagged_with_wide_intervals():
    short = forecast(np.array([100.0, 104.0, 98.0, 101.0]), 3, 12)
    assert "short_series" in short.flags
    rng = np.random.default_rng(1)
    long = forecast(100 + rng.normal(0, 2.5, 200), 3, 1)
    short_width = short.upper[95] - short.lower[95]
    assert np.all(short_width > 2 * (long.upper[95] - long.lower[95]))
    single = forecast(np.array([40.0]), 2, 1)
    assert single.mean[0] == 40.0 and single.upper[95][0] - single.lower[95][0] > 20


def test_constant_series_is_flagged_and_flat():
    fc = forecast(np.full(30, 7.0), 5, 7)
    assert "constant" in fc.flags
    np.testing.assert_array_equal(fc.mean, np.full(5, 7.0))


def test_missing_values_are_bridged_and_trailing_gaps_count_towards_the_horizon():
    t = np.arange(100, dtype=float)
    y = 10 + 0.5 * t
    y[[20, 21, 55]] = np.nan
    y[-2:] = np.nan
    fc = forecast(y, 3, 1)
    assert "stale" in fc.flags and fc.mean.shape == (3,)
    np.testing.assert_allclose(fc.mean, 10 + 0.5 * np.arange(100, 103), rtol=0.02)


def test_excluded_campaign_does_not_lift_the_forecast():
    rng = np.random.default_rng(2)
    y = 100 + rng.normal(0, 1, 80)
    y[74:] += 40
    campaign = np.zeros(80, dtype=bool)
    campaign[74:] = True
    with_campaign = forecast(y, 4, 1)
    excluded = forecast(y, 4, 1, exclude=campaign)
    assert abs(excluded.mean[0] - 100) < 2
    assert with_campaign.mean[0] > excluded.mean[0] + 5
    assert "excluded" in excluded.flags and "stale" not in excluded.flags


def test_excluded_points_at_the_end_keep_the_horizon_aligned():
    t = np.arange(96)
    y = seasonal_monthly(t)
    campaign = np.zeros(96, dtype=bool)
    campaign[-3:] = True
    y[-3:] *= 1.5
    fc = forecast(y, 12, 12, exclude=campaign)
    assert mape(seasonal_monthly(np.arange(96, 108)), fc.mean) < 2.0


def test_sample_paths_are_seeded_and_match_mean_and_sigma():
    rng = np.random.default_rng(4)
    fc = forecast(np.cumsum(rng.normal(0, 1, 120)) + 50, 6, 1)
    paths = fc.sample_paths(20000, np.random.default_rng(0))
    assert paths.shape == (20000, 6)
    np.testing.assert_allclose(paths.mean(axis=0), fc.mean, atol=0.1)
    np.testing.assert_allclose(paths.std(axis=0), fc.sigma, rtol=0.05)
    np.testing.assert_array_equal(paths[:5], fc.sample_paths(20000, np.random.default_rng(0))[:5])


def test_zero_horizon_returns_an_empty_forecast():
    fc = forecast(np.arange(10.0), 0, 1)
    assert isinstance(fc, Forecast) and fc.mean.shape == (0,)


@pytest.mark.parametrize("m", [1, 7, 12, 52])
def test_many_random_walks_forecast_finite_means(m):
    # Speed is measured in bench/engine_bench.py; here every forecast is finite.
    rng = np.random.default_rng(m)
    series = [100 + np.cumsum(rng.normal(0, 1, 400)) for _ in range(20)]
    for y in series:
        assert np.isfinite(forecast(y, 13, m).mean).all()


def test_small_sample_factor_widens_more_for_fewer_errors_and_vanishes_with_many():
    from engine.forecast import small_sample_factor

    # t(0.9, 4)/z(0.9)·√(1 + 1/5) = 1.5332/1.2816·1.0954
    assert small_sample_factor(5) == pytest.approx(1.3105, abs=1e-3)
    assert small_sample_factor(5) > small_sample_factor(50) > 1.0
    assert small_sample_factor(50) == pytest.approx(1.0238, abs=1e-3)
    assert small_sample_factor(100_000) == pytest.approx(1.0, abs=1e-3)
    assert small_sample_factor(0) == small_sample_factor(1) == 1.0


def test_quantile_scale_is_narrower_than_the_rms_on_heavy_tailed_errors():
    from engine.forecast import quantile_scale

    rng = np.random.default_rng(7)
    normal = rng.standard_normal(4000)
    assert quantile_scale(normal) == pytest.approx(1.0, abs=0.05)
    # Student t with 4 degrees of freedom scaled to unit variance: kurtosis far above 3.
    heavy = rng.standard_t(4, 4000) / np.sqrt(2.0)
    rms = float(np.sqrt(np.mean(heavy ** 2)))
    assert rms == pytest.approx(1.0, abs=0.1)
    assert quantile_scale(heavy) < 0.92 * rms
    # Both still cover about 80 % between ±1.2816 scales.
    inside = np.mean(np.abs(heavy) <= 1.2816 * quantile_scale(heavy))
    assert inside == pytest.approx(0.80, abs=0.02)


def test_quantile_scale_is_about_unbiased_from_few_normal_errors():
    from engine.forecast import quantile_scale

    rng = np.random.default_rng(3)
    found = [quantile_scale(rng.standard_normal(9)) for _ in range(3000)]
    assert np.mean(found) == pytest.approx(1.0, abs=0.05)
