"""Many leaves, few shocks: the leaves' correlation in factor form (issue 23).

Beyond as many leaves as shock observations, ``engine.leaves.leaf_correlation`` gives the
Gaussian rank correlation as its loadings (leaves × T) and ``engine.simulate`` draws from
them without building the leaves × leaves matrix. These tests hold the factor form to the
matrix it stands for and to the Spearman estimate it replaces, within sampling error.
"""
import numpy as np
import pytest

from engine.leaves import (
    MAX_SHOCKS,
    FactorCorrelation,
    leaf_correlation,
    shock_correlation,
    shock_factors,
)
from engine.simulate import _normals, simulate


def _one_factor(leaves, length, seed=0):
    """Shocks with a known correlation: leaf i loads λ_i on one common shock."""
    rng = np.random.default_rng(seed)
    loading = rng.uniform(0.0, 0.8, leaves)
    common = rng.standard_normal(length)
    x = loading[:, None] * common + np.sqrt(1 - loading ** 2)[:, None] * rng.standard_normal(
        (leaves, length))
    truth = np.outer(loading, loading)
    np.fill_diagonal(truth, 1.0)
    return {f"k{i:03d}": row for i, row in enumerate(x)}, truth


def _histories(aligned):
    return {name: (range(row.size + 1), 100 * np.exp(np.r_[0.0, np.cumsum(0.02 * row)]), 1)
            for name, row in aligned.items()}


def test_few_leaves_keep_the_matrix_and_more_leaves_than_shocks_get_factors():
    few, _ = _one_factor(40, 156)
    names, matrix = leaf_correlation(_histories(few))
    assert isinstance(matrix, np.ndarray)
    assert np.array_equal(matrix, shock_correlation(few)[1])  # unchanged where leaves ≤ T
    many, _ = _one_factor(MAX_SHOCKS + 4, 156)
    names, factors = leaf_correlation(_histories(many))
    assert names == sorted(many) and isinstance(factors, FactorCorrelation)
    assert factors.loadings.shape == (MAX_SHOCKS + 4, MAX_SHOCKS)
    # A short history tips the balance too: 30 leaves, 20 shocks each.
    short, _ = _one_factor(30, 20)
    assert isinstance(leaf_correlation(_histories(short))[1], FactorCorrelation)


def test_the_factor_form_is_a_correlation_matrix_by_construction():
    aligned, _ = _one_factor(300, 156, seed=1)
    factors = shock_factors(aligned)[1]
    matrix = factors.matrix()
    assert np.allclose(np.diag(matrix), 1.0)
    assert factors.unique.min() > 0.1  # 1 − n / (n + SHRINK) at least: never degenerate
    assert np.allclose(matrix, matrix.T) and np.abs(matrix).max() <= 1.0 + 1e-12
    # The full rows' shrink is shock_correlation's n / (n + SHRINK) for every pair.
    assert np.allclose(factors.unique, 20 / (MAX_SHOCKS + 20))


def test_the_gaussian_rank_correlation_agrees_with_the_spearman_one_within_sampling_error():
    aligned, truth = _one_factor(200, 156, seed=2)
    spearman = shock_correlation(aligned)[1]
    gaussian = shock_factors(aligned)[1].matrix()
    pairs = np.triu_indices(200, 1)
    shrink = MAX_SHOCKS / (MAX_SHOCKS + 20)
    # Either estimate is off the (shrunk) truth by ~0.07 a pair (156 shocks); the two
    # estimators of the same copula correlation differ by a fifth of that, on average not
    # at all, and the Gaussian rank one is no further from the truth.
    diff = (gaussian - spearman)[pairs]
    assert np.abs(diff).mean() < 0.02 and abs(diff.mean()) < 0.005
    errors = [np.sqrt(((estimate - shrink * truth)[pairs] ** 2).mean())
              for estimate in (spearman, gaussian)]
    assert errors[0] < 0.08 and errors[1] <= errors[0]


def test_drawn_normals_have_the_estimated_correlation():
    aligned, _ = _one_factor(200, 156, seed=3)
    names, factors = shock_factors(aligned)
    draws = 20_000
    z = _normals(names, draws, 7, (names, factors))
    sample = np.corrcoef(z)
    expected = factors.matrix()
    pairs = np.triu_indices(200, 1)
    # Sampling error of one pair's correlation is ≤ 1 / √draws = 0.007.
    assert np.abs(sample - expected)[pairs].max() < 0.04
    assert np.abs(sample - expected)[pairs].mean() < 0.007
    assert np.abs(z.std(axis=1) - 1).max() < 0.03 and np.abs(z.mean(axis=1)).max() < 0.03


def test_leaves_the_factors_do_not_name_are_drawn_independently():
    aligned, _ = _one_factor(160, 156, seed=4)
    names, factors = shock_factors(aligned)
    z = _normals(["extra"] + names[:3], 20_000, 1, (names, factors))
    sample = np.corrcoef(z)
    assert np.abs(sample[0, 1:]).max() < 0.04
    assert np.allclose(sample[1:, 1:], factors.matrix()[:3, :3], atol=0.04)


def test_a_short_or_constant_leaf_is_independent_and_gaps_draw_towards_zero():
    aligned, _ = _one_factor(200, 156, seed=5)
    base = aligned["k000"]
    aligned["k000"] = np.full(156, 0.25)  # constant shocks
    aligned["k001"] = np.where(np.arange(156) < 150, np.nan, aligned["k001"])  # 6 shocks
    aligned["k002"] = base.copy()
    aligned["k003"] = np.where(np.arange(156) % 2 == 0, base, np.nan)  # half of k002's
    names, factors = shock_factors(aligned)
    matrix = factors.matrix()
    assert not factors.loadings[:2].any() and np.allclose(factors.unique[:2], 1.0)
    # k003 is k002 on half the points: correlated, drawn towards 0 by the half it misses.
    assert 0.5 < matrix[2, 3] < 0.8


def test_a_kgi_of_many_leaves_is_simulated_alike_from_either_form():
    aligned, _ = _one_factor(200, 156, seed=6)
    names, factors = shock_factors(aligned)
    spearman = shock_correlation(aligned)[1]
    leaves = {name: (100.0, 10.0, True) for name in names}
    total = lambda v: sum(v.values())  # noqa: E731
    by_factors = simulate(leaves, total, 20_100.0, draws=20_000, correlation=(names, factors))
    by_matrix = simulate(leaves, total, 20_100.0, draws=20_000, correlation=(names, spearman))
    alone = simulate(leaves, total, 20_100.0, draws=20_000)
    assert by_factors.p90 - by_factors.p10 > 2 * (alone.p90 - alone.p10)  # correlated
    spread = by_matrix.p90 - by_matrix.p10
    assert by_factors.p90 - by_factors.p10 == pytest.approx(spread, rel=0.05)
    assert by_factors.probability == pytest.approx(by_matrix.probability, abs=0.02)
