"""Anomaly detection: spikes and level shifts, not seasonal peaks or campaigns."""

import numpy as np
import pytest

from engine.anomalies import detect


def weekly_pattern(n_days, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    pattern = np.array([100, 105, 110, 108, 120, 170, 160.0])  # weekend peaks
    return np.tile(pattern, n_days // 7 + 1)[:n_days] + rng.normal(0, noise, n_days)


def test_seasonal_peaks_are_not_flagged():
    assert detect(weekly_pattern(140), 7) == []


def test_a_spike_in_a_seasonal_series_is_flagged_where_it_happens():
    y = weekly_pattern(140)
    y[93] += 40
    found = detect(y, 7)
    assert [a.index for a in found] == [93]
    spike = found[0]
    assert spike.label == "anomaly" and spike.kind == "spike" and spike.score > 4
    assert spike.low < spike.expected < spike.high < spike.value
    assert abs(spike.expected - (y[93] - 40)) < 5


def test_a_level_shift_is_flagged_at_its_start():
    y = weekly_pattern(140, seed=1)
    y[80:] *= 0.75  # a quarter of the traffic gone, on weekends and weekdays alike
    found = detect(y, 7)
    shifts = [a for a in found if a.kind == "level_shift"]
    assert [a.index for a in shifts] == [80]
    assert shifts[0].score < 0
    assert all(abs(a.index - 80) > 7 for a in found if a.kind == "spike")


def test_a_campaign_spike_is_labelled_campaign_not_anomaly():
    y = weekly_pattern(140, seed=2)
    y[100:103] += 60
    campaign = np.zeros(140, dtype=bool)
    campaign[98:105] = True
    found = detect(y, 7, campaign_mask=campaign)
    assert found and all(a.label == "campaign" for a in found)
    assert all(98 <= a.index < 105 for a in found)
    without = detect(y, 7)
    assert any(a.label == "anomaly" and a.index == 100 for a in without)


def test_a_burst_of_consecutive_outliers_is_one_detection():
    y = weekly_pattern(140, seed=3)
    y[60:63] += 50
    assert [a.index for a in detect(y, 7)] == [60]


def test_a_series_shorter_than_two_seasons_uses_a_rolling_median():
    rng = np.random.default_rng(4)
    y = 50 + rng.normal(0, 1, 40)
    y[25] = 80
    assert [a.index for a in detect(y, 52)] == [25]


@pytest.mark.parametrize("y", [
    [], [1.0], [1.0, 2.0, 3.0], [np.nan] * 10, [5.0] * 50, [0.0] * 20 + [0.0, 0.0],
])
def test_short_empty_and_constant_series_give_no_anomalies(y):
    assert detect(np.array(y, dtype=float), 7) == []


def test_missing_values_are_never_flagged_and_do_not_break_detection():
    y = weekly_pattern(140, seed=5)
    y[[10, 11, 50]] = np.nan
    y[90] += 45
    found = detect(y, 7)
    assert [a.index for a in found] == [90]


def weekly_kpi(weeks, seed=0):
    """Weekly visits: yearly season, slight growth, 4 % noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    return 10_000 * (1 + 0.2 * np.sin(2 * np.pi * t / 52)) * 1.002 ** t * \
        np.exp(rng.normal(0, 0.04, weeks))


@pytest.mark.parametrize("weeks", [60, 104, 156, 208])
@pytest.mark.parametrize("factor", [1.4, 0.6])
def test_a_40_percent_spike_or_dip_in_the_newest_week_is_found(weeks, factor):
    y = weekly_kpi(weeks, seed=weeks)
    y[-1] *= factor
    found = detect(y, 52, refractory=2)
    assert any(a.index == weeks - 1 and a.label == "anomaly" for a in found)
    assert all(a.index == weeks - 1 for a in found)


def test_each_point_is_decided_from_the_points_before_it():
    y = weekly_kpi(130, seed=7)
    y[100] *= 1.5
    full = detect(y, 52)
    so_far = detect(y[:101], 52)
    assert [a.index for a in so_far] == [100]
    assert so_far[0].score == pytest.approx(next(a for a in full if a.index == 100).score)


def test_two_seasons_of_a_flat_series_do_not_explode_the_score():
    y = np.tile(np.r_[np.full(51, 1000.0), 1001.0], 2)
    y[-1] = 1300.0
    found = detect(y, 52)
    assert found and all(abs(a.score) <= 100 for a in found)
    assert detect(np.r_[np.full(103, 1000.0), 1001.0], 52) == []


def test_a_level_shift_is_its_own_kind_and_the_new_level_becomes_normal():
    y = weekly_kpi(150, seed=3)
    y[110:] *= 0.7
    found = [a for a in detect(y, 52) if a.label == "anomaly"]
    assert [(a.index, a.kind) for a in found] == [(110, "level_shift")]


def _weekly_kpi(seed, n, noise):
    """Trend × yearly season × log-normal noise, as a weekly sales KPI looks."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 52 + rng.uniform(0, 6.3))
    return 1000 * np.exp(0.2 * t / 52) * season * np.exp(rng.normal(0, noise, n))


@pytest.mark.parametrize("weeks", [60, 104, 156])
def test_a_40_percent_spike_or_dip_in_the_newest_week_is_seen_with_two_or_three_years(weeks):
    """The common case: 1–3 years of weekly history, the event in this week's number."""
    found_new, false = 0, 0
    for seed in range(10):
        clean = _weekly_kpi(seed, weeks, noise=0.05)
        false += sum(a.label == "anomaly" for a in detect(clean, 52))
        for factor in (1.4, 0.6):
            y = clean.copy()
            y[-1] *= factor
            found_new += any(a.index == weeks - 1 for a in detect(y, 52))
    assert found_new >= 16  # of 20
    assert false <= 2  # ten series of 1–3 years: well under 0.2 false flags a year


def test_the_threshold_widens_while_the_noise_scale_rests_on_few_errors():
    from engine.anomalies import t_widening

    assert t_widening(8, 3.2) > 2.5 > t_widening(20, 3.2) > t_widening(52, 3.2) > 1.1
