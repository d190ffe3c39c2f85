"""Leaf distributions for the KGI simulation: medians, positivity, days, correlation."""

import numpy as np
import pytest

from engine.leaves import (
    LeafDistribution,
    leaf_correlation,
    leaf_distribution,
    nearest_correlation,
    path_covariance,
    shock_correlation,
    shocks,
)
from engine.simulate import simulate
from engine.smoothing import base_forecasts


def test_a_positive_leaf_has_its_median_at_the_point_forecast():
    result = simulate({"x": (1000.0, 300.0, True)}, lambda v: v["x"], 1000.0, draws=40_000)
    assert result.p50 == pytest.approx(1000.0, rel=0.01)
    assert result.probability == pytest.approx(0.5, abs=0.01)


def test_the_median_of_a_product_of_three_leaves_is_the_product_of_the_points():
    leaves = {"a": (100.0, 30.0, True), "b": (0.02, 0.006, True), "c": (3000.0, 900.0, True)}
    result = simulate(leaves, lambda v: v["a"] * v["b"] * v["c"], 6000.0, draws=40_000)
    # A mean-matched log-normal put this median 13.5 % below 6,000.
    assert result.p50 == pytest.approx(6000.0, rel=0.02)


def test_a_count_never_gets_negative_draws_even_with_a_huge_spread():
    result = simulate({"x": (50.0, 400.0, True)}, lambda v: v["x"], 0.0, draws=20_000)
    assert result.p10 > 0
    assert result.probability == 1.0


def test_a_leaf_that_can_be_negative_stays_normal():
    leaf = LeafDistribution(10.0, 20.0, positive=False)
    draws = leaf.draws(np.array([-1.2815515655446004, 0.0]))
    assert draws == pytest.approx([10 - 1.2815515655446004 * 20, 10.0])


def test_the_log_normal_keeps_the_p10_to_p90_width_of_the_normal():
    leaf = LeafDistribution(100.0, 10.0)
    z = 1.2815515655446004
    low, high = leaf.draws(np.array([-z, z]))
    assert high - low == pytest.approx(2 * z * 10.0, rel=1e-9)


def test_a_positive_leaf_forecast_below_zero_is_held_at_its_floor():
    leaf = leaf_distribution(np.array([-5.0]), np.array([3.0]), [0], positive=True, floor=2.0)
    assert leaf.point == 2.0


def test_a_week_counts_by_its_share_of_days_in_the_period():
    mean = np.array([70.0, 70.0, 70.0])
    leaf = leaf_distribution(mean, np.zeros(3), [0, 1, 2], [2 / 7, 1.0, 5 / 7], "sum")
    assert leaf.point == pytest.approx(20 + 70 + 50)
    average = leaf_distribution(np.array([1.0, 2.0]), np.zeros(2), [0, 1], [0.5, 1.0], "average")
    assert average.point == pytest.approx((0.5 + 2.0) / 1.5)


def test_the_spread_of_a_sum_counts_the_shared_random_walk_shocks():
    # Random-walk steps with unit increments: var(x1 + x2) = 1 + 2 + 2·1 = 5.
    cov = path_covariance(np.sqrt([1.0, 2.0]))
    assert cov == pytest.approx(np.array([[1.0, 1.0], [1.0, 2.0]]))
    leaf = leaf_distribution(np.zeros(2), np.sqrt([1.0, 2.0]), [0, 1], positive=False)
    assert leaf.sigma == pytest.approx(np.sqrt(5.0))


def test_a_sum_of_log_normal_steps_has_its_median_above_the_sum_of_their_medians():
    # Two positive steps, each log-normal with median 100 (P10–P90 widths of sigma 20 and 40,
    # correlated 0.5 by the shared random-walk shock): their sum's median is not 200.
    mean, sigma = np.array([100.0, 100.0]), np.array([20.0, 40.0])
    leaf = leaf_distribution(mean, sigma, [0, 1])
    cov = path_covariance(sigma)
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    z = np.random.default_rng(1).multivariate_normal([0, 0], [[1, rho], [rho, 1]], 400_000)
    steps = [LeafDistribution(100.0, s) for s in sigma]
    total = steps[0].draws(z[:, 0]) + steps[1].draws(z[:, 1])
    median = float(np.median(total))
    assert median > 201  # the simulated sum's median (~201.6)
    assert abs(leaf.point - median) < abs(200 - median)  # closer than the sum of medians
    z90 = 1.2815515655446004
    low, high = leaf.draws(np.array([-z90, z90]))
    assert low == pytest.approx(np.percentile(total, 10), rel=0.02)
    assert high == pytest.approx(np.percentile(total, 90), rel=0.02)
    # One step is its own distribution; steps without spread add up exactly.
    assert leaf_distribution(mean, sigma, [1]) == LeafDistribution(100.0, 40.0)
    assert leaf_distribution(mean, np.zeros(2), [0, 1]).point == pytest.approx(200.0)
    # Steps that move in lockstep keep their shape whatever their weights: the average of
    # two identical log-normal weeks is that week.
    average = leaf_distribution(mean, np.array([10.0, 10.0]), [0, 1], [0.5, 0.5], "average")
    assert average.point == pytest.approx(100.0)
    assert average.log_sigma == pytest.approx(LeafDistribution(100.0, 10.0).log_sigma)


def test_damped_trend_sigma_uses_c_j_as_ets_a_ad_n_needs():
    x = 100 + np.cumsum(np.random.default_rng(3).normal(1, 2, 120))
    from engine.smoothing import _damped
    _mean, rmse, (a, b, p) = _damped(x, 4)
    # var_h = s²(1 + Σ_{j=1}^{h-1} c_j²) with c_j = α + β(φ + … + φ^j)
    c = [a + b * sum(p ** i for i in range(1, j + 1)) for j in range(1, 4)]
    expected = rmse * np.sqrt(np.cumsum([1.0] + [cj ** 2 for cj in c]))
    assert base_forecasts(x, 4)["damped"][1] == pytest.approx(expected)


def test_correlated_shocks_are_found_and_independent_ones_are_not():
    rng = np.random.default_rng(0)
    common = rng.standard_normal(200)
    a = 1000 * np.exp(np.cumsum(0.02 * common))
    b = 50 * np.exp(np.cumsum(0.02 * (0.6 * common + 0.8 * rng.standard_normal(200))))
    c = 10 * np.exp(np.cumsum(0.02 * rng.standard_normal(200)))
    names, matrix = shock_correlation({n: shocks(x, 1) for n, x in zip("abc", (a, b, c))})
    assert names == ["a", "b", "c"]
    assert 0.4 < matrix[0, 1] < 0.7
    assert abs(matrix[0, 2]) < 0.2 and abs(matrix[1, 2]) < 0.2


def test_correlated_leaves_widen_the_spread_of_their_product():
    leaves = {"a": (100.0, 20.0, True), "b": (100.0, 20.0, True)}
    product = lambda v: v["a"] * v["b"]  # noqa: E731
    alone = simulate(leaves, product, 10_000.0, draws=20_000)
    together = simulate(leaves, product, 10_000.0, draws=20_000,
                        correlation=(["a", "b"], [[1.0, 0.6], [0.6, 1.0]]))
    assert together.p90 - together.p10 > 1.15 * (alone.p90 - alone.p10)
    assert together.p50 == pytest.approx(alone.p50, rel=0.02)


def test_leaves_of_different_lengths_are_lined_up_by_period_not_by_position():
    rng = np.random.default_rng(1)
    common = rng.standard_normal(160)
    a = 100 * np.exp(np.cumsum(0.02 * common))
    b = 100 * np.exp(np.cumsum(0.02 * (0.7 * common + 0.7 * rng.standard_normal(160))))
    # b stopped after 100 periods: its shocks meet a's of the same periods, not a's last ones.
    names, matrix = leaf_correlation({"a": (range(160), a, 1), "b": (range(100), b[:100], 1)})
    assert names == ["a", "b"]
    assert 0.45 < matrix[0, 1] < 0.8
    by_position = shock_correlation({"a": shocks(a[60:], 1), "b": shocks(b[:100], 1)})
    assert abs(by_position[1][0, 1]) < 0.3
    assert leaf_correlation({"a": (range(160), a, 1)}) is None


def _pairwise_loop(data):
    """The per-pair loop shock_correlation used before it was vectorised (the reference)."""
    from engine.leaves import MIN_OVERLAP, SHRINK
    k = len(data)
    matrix = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            both = np.isfinite(data[i]) & np.isfinite(data[j])
            n = int(both.sum())
            if n < MIN_OVERLAP:
                continue
            a, b = data[i][both], data[j][both]
            if np.std(a) == 0 or np.std(b) == 0:
                continue
            ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
            spearman = float(np.corrcoef(ra, rb)[0, 1])
            matrix[i, j] = matrix[j, i] = 2 * np.sin(np.pi * spearman / 6) * n / (n + SHRINK)
    return matrix


@pytest.mark.parametrize("leaves, length, gapped", [
    (30, 156, 0.3), (40, 50, 0.0), (25, 20, 0.5), (50, 156, 1.0)])
def test_the_vectorised_pairwise_correlation_equals_the_per_pair_loop(leaves, length, gapped):
    from engine.leaves import _pairwise_rank_correlation
    rng = np.random.default_rng(leaves)
    x = rng.standard_normal((leaves, length)) + 0.5 * rng.standard_normal(length)
    rows = rng.random(leaves) < gapped
    holes = rng.random((int(rows.sum()), length)) < 0.3
    x[rows] = np.where(holes, np.nan, x[rows])
    x[0, : length - 8] = np.nan  # too few common points with everyone: independent
    expected = _pairwise_loop(list(x))
    assert np.abs(_pairwise_rank_correlation(x) - expected).max() < 1e-12
    names, matrix = shock_correlation({f"k{i:02d}": row for i, row in enumerate(x)})
    assert names == sorted(names) and matrix.shape == (leaves, leaves)


def test_a_leaf_constant_on_the_common_points_is_independent_and_ties_share_a_rank():
    from engine.leaves import _pairwise_rank_correlation
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 40))
    x[1, :20] = np.nan
    x[1, 20:] = 0.25  # constant where it is known
    x[2] = np.round(x[0], 1)  # ties, same order as row 0
    matrix = _pairwise_rank_correlation(x)
    assert matrix[0, 1] == 0.0 and matrix[1, 2] == 0.0
    assert matrix[0, 2] == pytest.approx(40 / 60, abs=0.01)  # ~1, shrunk by n / (n + 20)


def _clipped_by_eigh(matrix, floor=1e-6):
    vals, vecs = np.linalg.eigh((matrix + matrix.T) / 2)
    fixed = (vecs * np.maximum(vals, floor)) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    return fixed / np.outer(d, d)


def test_a_correlation_already_positive_definite_skips_the_eigendecomposition_to_rounding():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 60)) + 0.5 * rng.standard_normal(60)
    ok = np.corrcoef(x) * 0.9 + 0.1 * np.eye(40)
    assert np.allclose(nearest_correlation(ok), _clipped_by_eigh(ok), rtol=0, atol=1e-13)
    # An inconsistent one (a, b and c can't all be this correlated) is still clipped.
    bad = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    fixed = nearest_correlation(bad)
    assert np.allclose(fixed, _clipped_by_eigh(bad), atol=1e-13)
    assert np.linalg.eigvalsh(fixed).min() > 0 and np.allclose(np.diag(fixed), 1.0)
