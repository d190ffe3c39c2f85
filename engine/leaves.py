"""A leaf KPI's value in the KGI's period as a distribution, and how leaves move together.

Pure numpy/scipy: no Django. The outlook forecasts each leaf step by step; this module turns
the steps that fall in the KGI's period (weighted by the days they share with it) into
one distribution, and estimates the correlation of leaf shocks from their histories so
the simulation can draw them together (a Gaussian copula): as a leaves × leaves matrix
while the leaves are no more than their shock observations, in factor form beyond (a
matrix estimated from T observations has no more than T dimensions of information, and
drawing from its factors costs leaves × T per draw instead of leaves²).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

from engine.seasonality import season_of

# Pairs of leaves with fewer common shocks than this are taken as independent.
MIN_OVERLAP = 12
# Correlations are shrunk towards 0 by n / (n + SHRINK): with a year of weekly shocks an
# estimate of 0.6 stays ~0.55, and a chance 0.2 from 20 points becomes 0.1.
SHRINK = 20
# Only the recent shocks matter for how the leaves move together now.
MAX_SHOCKS = 156


@dataclass(frozen=True)
class LeafDistribution:
    """The leaf's value: median `point`, additive spread `sigma` at the P10–P90 scale.

    A positive leaf (a count, an amount, a rate) is log-normal with median `point` and
    the same P10–P90 width as a normal with this sigma, so it never goes below 0 and its
    median stays the point forecast; any other leaf is normal around `point`.
    """

    point: float
    sigma: float
    positive: bool = True

    @property
    def log_sigma(self) -> float:
        """The log-normal's shape: e^{±1.2816 s} spans the normal's ±1.2816 sigma."""
        if not self.positive or self.point <= 0 or not self.sigma > 0:
            return 0.0
        z = 1.2815515655446004
        return float(np.arcsinh(z * self.sigma / self.point) / z)

    def draws(self, z: np.ndarray) -> np.ndarray:
        """Values driven by the standard normals z (same z, same rank)."""
        if self.positive and self.point > 0:
            return self.point * np.exp(self.log_sigma * z)
        return self.point + self.sigma * z


def is_positive(values: np.ndarray) -> bool:
    """A KPI whose every known value is above 0 stays above 0 (counts, amounts, rates)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    return bool(x.size and np.all(x > 0))


def path_covariance(sigma: np.ndarray) -> np.ndarray:
    """The covariance of forecast steps that ``Forecast.sample_paths`` draws from.

    Step errors accumulate like a random walk on the running-maximum envelope of sigma,
    so cov(i, j) = r_i r_j env_min(i,j)² with r = sigma / envelope.
    """
    sigma = np.nan_to_num(np.asarray(sigma, dtype=float), nan=0.0)
    envelope = np.maximum.accumulate(sigma) if sigma.size else sigma
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(envelope > 0, sigma / envelope, 0.0)
    idx = np.arange(sigma.size)
    shared = envelope[np.minimum.outer(idx, idx)] ** 2
    return np.outer(ratio, ratio) * shared


def leaf_distribution(mean: np.ndarray, sigma: np.ndarray, steps: Sequence[int],
                      weights: Sequence[float] | None = None, aggregation: str = "sum",
                      positive: bool = True, floor: float = 0.0) -> LeafDistribution:
    """The leaf's value over forecast `steps` (0-based), each counted by its weight.

    `weights` is the share of each step inside the period (a week with 3 of its 7 days
    in the month counts 3/7 of its value in a monthly sum). "mean" is the weighted mean,
    "last" the last step. A positive leaf's median is kept at least `floor` (a damped
    trend may run a count below zero; its history says it cannot go there).
    """
    mean = np.asarray(mean, dtype=float)
    steps = np.asarray(list(steps), dtype=int)
    w = np.ones(steps.size) if weights is None else np.asarray(list(weights), dtype=float)
    if aggregation == "last":
        steps, w = steps[-1:], np.ones(1)
    elif aggregation != "sum":
        w = w / w.sum()
    cov = path_covariance(np.asarray(sigma, dtype=float))[np.ix_(steps, steps)]
    point = float(w @ mean[steps])
    spread = float(np.sqrt(max(float(w @ cov @ w), 0.0)))
    if positive and steps.size > 1 and np.all(mean[steps] > 0) and np.all(w >= 0):
        point, spread = _log_normal_sum(mean[steps], cov, w)
    if positive and not point > floor:
        point = float(floor) if floor > 0 else point
    return LeafDistribution(point, spread, positive)


def _log_normal_sum(points: np.ndarray, cov: np.ndarray, weights: np.ndarray):
    """(median, sigma) of a weighted sum of positive steps, each log-normal as
    ``LeafDistribution`` draws it (median its point, the normal's P10–P90 width), their
    logs correlated as the steps' normal errors are.

    A sum of log-normals is not log-normal, and its median is above the sum of the medians
    unless the steps move in lockstep: Fenton–Wilkinson's log-normal with the sum's exact
    mean and variance, returned as a sigma whose ``log_sigma`` is that log-normal's shape.
    One step gives back its own distribution.
    """
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    logs = np.array([LeafDistribution(float(p), float(s)).log_sigma for p, s in zip(points, sd)])
    points = weights * points  # a step's share of the period scales its median, not its shape
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(np.outer(sd, sd) > 0, cov / np.outer(sd, sd), 0.0)
    half = logs ** 2 / 2
    mean = float(points @ np.exp(half))
    if not mean > 0:
        return 0.0, 0.0
    second = float(points @ np.exp(half[:, None] + half[None, :] + rho * np.outer(logs, logs))
                   @ points)
    shape = float(np.sqrt(max(np.log(second / mean ** 2), 0.0)))
    median = mean * float(np.exp(-shape ** 2 / 2))
    z = 1.2815515655446004
    return median, median * float(np.sinh(z * shape)) / z


# --------------------------------------------------------------------------- correlation


def shocks(values: np.ndarray, season_length: int) -> np.ndarray:
    """One-period shocks of a series: changes of its seasonally adjusted (log) values.

    NaNs stay NaN so the caller can align several series on one calendar.
    """
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    if ok.sum() < 3:
        return np.full(max(x.size - 1, 0), np.nan)
    filled = np.interp(np.arange(x.size), np.flatnonzero(ok), x[ok])
    season = season_of(filled, season_length)
    adjusted = season.adjust(filled)
    if np.all(adjusted > 0):
        adjusted = np.log(adjusted)
    out = np.diff(adjusted)
    out[~(ok[1:] & ok[:-1])] = np.nan
    return out


def leaf_correlation(histories: Mapping[str, tuple[Sequence, np.ndarray, int]]):
    """(names, correlation) of leaves' shocks on their common periods, or None.

    The correlation is ``shock_correlation``'s matrix while the leaves are no more than
    the shocks they are estimated from, ``shock_factors``' factor form beyond (where the
    matrix would cost leaves² per draw for no more than T dimensions of information).

    `histories[name]` is (periods, values, season_length): each leaf's own shocks are
    taken on its whole history (NaN where a value is missing or masked), then the leaves
    are lined up by period, so series of different lengths share one calendar. The
    outlook and the calibration bench both call this, so they estimate it the same way.
    """
    by_period: dict[str, dict] = {}
    for name, (periods, values, season_length) in histories.items():
        values = np.asarray(values, dtype=float)
        if values.size < 3:
            continue
        by_period[name] = dict(zip(list(periods)[1:], shocks(values, season_length)))
    if len(by_period) < 2:
        return None
    days = sorted(set().union(*by_period.values()))
    aligned = {name: np.array([moves.get(d, np.nan) for d in days])
               for name, moves in by_period.items()}
    if len(aligned) > min(len(days), MAX_SHOCKS):
        return shock_factors(aligned)
    return shock_correlation(aligned)


def _recent(aligned: Mapping[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """(names, leaves × T array) of the last T ≤ MAX_SHOCKS shocks all series reach."""
    names = sorted(aligned)
    length = min((np.asarray(aligned[n]).size for n in names), default=0)
    length = min(length, MAX_SHOCKS)
    data = np.array([np.asarray(aligned[n], dtype=float)[len(aligned[n]) - length:]
                     for n in names]).reshape(len(names), length)
    return names, data


def shock_correlation(aligned: Mapping[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """(names, correlation matrix) of shock series that share one calendar (end-aligned).

    Pairwise over the points both have, shrunk towards 0, then made positive
    semi-definite so it can drive a Cholesky factor.
    """
    names, data = _recent(aligned)
    return names, nearest_correlation(_pairwise_rank_correlation(data))


@dataclass(frozen=True, eq=False)
class FactorCorrelation:
    """A correlation matrix B Bᵀ + diag(1 − |B_i|²) kept as its loadings B (leaves × T).

    Normals u @ Bᵀ + √(1 − |B_i|²) e, u and e independent standard normals, have exactly
    this correlation: drawing them costs leaves × T per draw, and the matrix itself
    (leaves²) is never built except by ``matrix()`` for a reader who wants it.
    """

    loadings: np.ndarray

    @property
    def unique(self) -> np.ndarray:
        """Each leaf's own variance, the part no factor shares (> 0: rows have |B_i| < 1)."""
        b = np.asarray(self.loadings, dtype=float)
        return 1.0 - np.einsum("ij,ij->i", b, b)

    def matrix(self) -> np.ndarray:
        b = np.asarray(self.loadings, dtype=float)
        matrix = b @ b.T
        np.fill_diagonal(matrix, 1.0)
        return matrix


def shock_factors(aligned: Mapping[str, np.ndarray]) -> tuple[list[str], FactorCorrelation]:
    """(names, correlation in factor form) of shock series on one calendar (end-aligned).

    The Gaussian rank correlation (Boudt, Cornelissen & Croux 2012): the correlation of the
    shocks' normal scores Φ⁻¹(rank / (n + 1)). Like ``shock_correlation``'s Spearman (its
    sin transform), it estimates a Gaussian copula's correlation and one outlier cannot
    decide a sign; unlike it, it is a Gram matrix of T-long rows, so it is positive
    semi-definite by construction and its rows are its factors. A leaf's missing shocks
    score 0 (the median shock), which draws its correlation towards 0 by the share it
    misses. Each row is shrunk by √(n / (n + SHRINK)), so a pair of full rows is shrunk
    by n / (n + SHRINK) as ``shock_correlation`` shrinks it; a leaf with fewer than
    MIN_OVERLAP shocks, or constant ones, is independent.
    """
    names, data = _recent(aligned)
    have = np.isfinite(data)
    n = have.sum(axis=1)
    ranks = rankdata(np.where(have, data, np.inf), axis=1)  # the gaps rank last: unused
    scores = np.where(have, ndtri(ranks / (n[:, None] + 1.0)), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores -= np.where(have, (scores.sum(axis=1) / n)[:, None], 0.0)
        norm = np.sqrt(np.einsum("ij,ij->i", scores, scores))
        rows = scores * (np.sqrt(n / (n + SHRINK)) / norm)[:, None]
    ok = (n >= MIN_OVERLAP) & (norm > 1e-12 * np.sqrt(np.maximum(n, 1)))
    return names, FactorCorrelation(np.where(ok[:, None], rows, 0.0))


def _pairwise_rank_correlation(x: np.ndarray) -> np.ndarray:
    """Shrunk Spearman correlations of the rows of x, each pair on the points both have.

    Spearman-like robustness: ranks keep one outlier from deciding the sign. A pair with
    fewer than MIN_OVERLAP common points, or constant on them, is left at 0. The ranks are
    mid-ranks within each pair's common points, counted for all pairs at once by matrix
    products: for each time t, rank_ij(t) = Σ_s [x_is < x_it] + ½[x_is = x_it] over the s
    row j also has (NaN compares false), so cost is k² × T² flops with no per-pair Python;
    rows with no gap share one set of ranks and cost one product.
    """
    k, length = x.shape
    have = np.isfinite(x)
    m = have.astype(float)
    n = m @ m.T
    cross = np.zeros((k, k))   # Σ_t rank_ij(t) · rank_ji(t)
    square = np.zeros((k, k))  # Σ_t rank_ij(t)²  (row i's own ranks in pair i, j)
    full = np.flatnonzero(have.all(axis=1))
    gap = np.flatnonzero(~have.all(axis=1))
    if full.size:
        ranks = rankdata(x[full], axis=1) - 1.0
        cross[np.ix_(full, full)] = ranks @ ranks.T
        square[np.ix_(full, full)] = (ranks * ranks).sum(axis=1)[:, None]
    if gap.size:
        mg = m[gap]
        for t in range(length):
            col = x[:, t:t + 1]
            below = (x < col) + 0.5 * (x == col)
            mine = (below[gap] @ m.T - 0.5) * np.outer(mg[:, t], m[:, t])  # rank_gj(t)
            theirs = (below @ mg.T - 0.5) * np.outer(m[:, t], mg[:, t])    # rank_jg(t)
            cross[gap, :] += mine * theirs.T
            square[gap, :] += mine * mine
            square[np.ix_(full, gap)] += theirs[full] ** 2
        cross[:, gap] = cross[gap, :].T
    # Mid-ranks 0..n-1 average (n-1)/2: centred sums, exact in float (quarter-integers).
    centre = n * ((n - 1) / 2) ** 2
    cov, var = cross - centre, square - centre
    with np.errstate(invalid="ignore", divide="ignore"):
        spearman = cov / np.sqrt(var * var.T)
        rho = 2 * np.sin(np.pi * spearman / 6) * n / (n + SHRINK)
    ok = (n >= MIN_OVERLAP) & (var > 0) & (var.T > 0)
    matrix = np.where(ok, rho, 0.0)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def nearest_correlation(matrix: np.ndarray, floor: float = 1e-6) -> np.ndarray:
    """Clip eigenvalues below `floor` and rescale to a unit diagonal."""
    fixed = (matrix + matrix.T) / 2
    try:
        # Every eigenvalue above the floor already (the usual case: shrunk correlations)?
        # Then clipping changes only the rounding, and a Cholesky factor says so at a tenth
        # of an eigendecomposition's cost (k³ / 3 flops).
        np.linalg.cholesky(fixed - floor * np.eye(len(fixed)))
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(fixed)
        fixed = (vecs * np.maximum(vals, floor)) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    return fixed / np.outer(d, d)
