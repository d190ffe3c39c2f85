"""Monte Carlo of the KGI at its deadline, pushed through the KPI formula tree.

Pure numpy/scipy: no Django. The formula is any vectorised callable over a dict of
leaf arrays (the formula engine supplies it); this module never parses formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from engine.leaves import FactorCorrelation, LeafDistribution, nearest_correlation

Evaluate = Callable[[dict[str, np.ndarray]], np.ndarray]

# Percentage points and percents are compared to this many decimals when ranking leaves.
RANK_DECIMALS = 9


@dataclass(frozen=True)
class SimulationResult:
    """How likely the KGI reaches its target, and the spread of its simulated value."""

    probability: float
    p10: float
    p50: float
    p90: float
    mean: float
    draws: int
    target: float
    direction: int


@dataclass(frozen=True)
class LeafSensitivity:
    """Effect of improving one leaf by `step` (1 %) in its own good direction."""

    leaf: str
    delta_pp: float
    delta_p50_pct: float
    direction: int


def _leaf_values(spec, z: np.ndarray, distribution: str) -> np.ndarray:
    """Turn one leaf's forecast into draws driven by the standard normals z.

    A ``LeafDistribution``, a (point, sigma[, positive]) tuple or an object with
    `.mean`/`.sigma` arrays (its last step, the deadline) has its median at the point:
    log-normal when positive and distribution == "auto" (volumes, rates and prices
    cannot go below 0), normal otherwise. A 1-D array is taken as samples and read
    through its quantile function, so the same z still orders the draws.
    """
    if isinstance(spec, LeafDistribution):
        leaf = spec
    elif hasattr(spec, "mean") and hasattr(spec, "sigma") and not isinstance(spec, np.ndarray):
        mean = float(np.ravel(spec.mean)[-1])
        leaf = LeafDistribution(mean, float(np.ravel(spec.sigma)[-1]), mean > 0)
    elif isinstance(spec, np.ndarray) and spec.ndim == 1 and spec.size not in (2, 3):
        samples = np.sort(spec[np.isfinite(spec)])
        if samples.size == 0:
            return np.full(z.shape, np.nan)
        pos = np.minimum((ndtr(z) * samples.size).astype(int), samples.size - 1)
        return samples[pos]
    else:
        values = list(spec)
        point, sigma = float(values[0]), float(values[1])
        positive = bool(values[2]) if len(values) > 2 else point > 0
        leaf = LeafDistribution(point, sigma, positive)
    sigma = abs(leaf.sigma) if np.isfinite(leaf.sigma) else 0.0
    positive = leaf.positive and distribution == "auto"
    return LeafDistribution(leaf.point, sigma, positive).draws(z)


def _normals(names: list[str], draws: int, seed: int, correlation) -> np.ndarray:
    """Standard normals, one row per leaf (leaves × draws), correlated as `correlation` says.

    `correlation` is (names, matrix) from ``engine.leaves.shock_correlation`` or (names,
    ``FactorCorrelation``) from ``engine.leaves.shock_factors`` (leaves it does not name
    are independent), or None.
    """
    rng = np.random.default_rng(seed)
    known, matrix = correlation if correlation and names else ((), None)
    where = {name: i for i, name in enumerate(known)}
    pairs = [(a, where[name]) for a, name in enumerate(names) if name in where]
    if isinstance(matrix, FactorCorrelation):
        # B u + √unique · e: leaves × factors per draw, the leaves² matrix never built, and
        # each leaf's draws contiguous (a column of draws × 600 leaves strides through 48 MB).
        loadings = np.asarray(matrix.loadings, dtype=float)
        mine = np.zeros((len(names), loadings.shape[1]))
        if pairs:
            ours, theirs = (np.array(v) for v in zip(*pairs))
            mine[ours] = loadings[theirs]
        z = rng.standard_normal((len(names), draws))
        z *= np.sqrt(FactorCorrelation(mine).unique)[:, None]
        z += mine @ rng.standard_normal((mine.shape[1], draws))
        return z
    z = rng.standard_normal((draws, len(names)))
    if matrix is None:
        return z.T
    matrix = np.asarray(matrix, dtype=float)
    full = np.eye(len(names))
    if pairs:
        mine, theirs = (np.array(v) for v in zip(*pairs))
        full[np.ix_(mine, mine)] = matrix[np.ix_(theirs, theirs)]
        np.fill_diagonal(full, 1.0)
    full = nearest_correlation(full)
    return (z @ np.linalg.cholesky(full + 1e-12 * np.eye(len(names))).T).T


def _draw_leaves(leaf_forecasts, draws: int, seed: int, distribution: str, correlation=None):
    names = sorted(leaf_forecasts)
    z = _normals(names, draws, seed, correlation)
    return {name: _leaf_values(leaf_forecasts[name], z[i], distribution)
            for i, name in enumerate(names)}


def _outcome(base: dict[str, np.ndarray], evaluate: Evaluate, shifts) -> np.ndarray:
    values = dict(base)
    for name, factor in (shifts or {}).items():
        if name in values:
            values[name] = values[name] * float(factor)
    with np.errstate(all="ignore"):
        out = np.asarray(evaluate(values), dtype=float)
    return np.broadcast_to(out, next(iter(base.values())).shape) if base else out


def _summarise(kgi: np.ndarray, target: float, direction: int) -> SimulationResult:
    finite = kgi[np.isfinite(kgi)]
    if finite.size == 0:
        nan = float("nan")
        return SimulationResult(nan, nan, nan, nan, nan, 0, float(target), direction)
    reached = finite >= target if direction >= 0 else finite <= target
    p10, p50, p90 = np.percentile(finite, [10, 50, 90])
    return SimulationResult(float(reached.mean()), float(p10), float(p50), float(p90),
                            float(finite.mean()), int(finite.size), float(target), direction)


def simulate(
    leaf_forecasts: Mapping[str, object],
    evaluate: Evaluate,
    target: float,
    direction: int = 1,
    draws: int = 10_000,
    seed: int = 0,
    shifts: Mapping[str, float] | None = None,
    *,
    distribution: str = "auto",
    correlation=None,
) -> SimulationResult:
    """Probability that evaluate(leaves) is >= target (<= when direction is -1)."""
    base = _draw_leaves(leaf_forecasts, draws, seed, distribution, correlation)
    return _summarise(_outcome(base, evaluate, shifts), target, direction)


def probability_sensitivity(*args, **kwargs) -> list[LeafSensitivity]:
    """Rank leaves by how many percentage points a 1 % improvement adds to the probability.

    The arguments are ``simulate_and_rank``'s; this returns only the ranking.
    """
    return simulate_and_rank(*args, **kwargs)[1]


def simulate_and_rank(
    leaf_forecasts: Mapping[str, object],
    evaluate: Evaluate,
    target: float,
    direction: int = 1,
    draws: int = 10_000,
    seed: int = 0,
    shifts: Mapping[str, float] | None = None,
    leaf_directions: Mapping[str, int] | None = None,
    step: float = 0.01,
    *,
    distribution: str = "auto",
    correlation=None,
) -> tuple[SimulationResult, list[LeafSensitivity]]:
    """``simulate``'s result and the leaves ranked by the points a 1 % improvement adds.

    One set of draws serves both (the result equals ``simulate``'s). Every scenario reuses the same draws (common random numbers), so a difference comes
    from the shift, not from sampling noise. `leaf_directions[name] = -1` means lower is
    better for that leaf (churn, cost), so its improvement is a 1 % decrease.
    """
    base = _draw_leaves(leaf_forecasts, draws, seed, distribution, correlation)
    reference = _summarise(_outcome(base, evaluate, shifts), target, direction)
    # An evaluator that can recompute only what one leaf feeds (`cache` + `changed`, as
    # ``metrics.analytics.outlook.kgi_evaluator``'s) makes the ranking cost the chains on
    # each leaf's path instead of leaves × the whole tree; same numbers up to rounding.
    incremental = hasattr(evaluate, "changed") and hasattr(evaluate, "cache")
    if incremental:
        shifted = {name: values * float(shifts[name]) if name in (shifts or {}) else values
                   for name, values in base.items()}
        with np.errstate(all="ignore"):
            cached = evaluate.cache(shifted)
    ranking = []
    for name in base:
        leaf_dir = -1 if (leaf_directions or {}).get(name, 1) < 0 else 1
        scenario = dict(shifts or {})
        scenario[name] = scenario.get(name, 1.0) * (1 + leaf_dir * step)
        if incremental:
            with np.errstate(all="ignore"):
                kgi = np.asarray(evaluate.changed(cached, name, base[name] * float(scenario[name])),
                                 dtype=float)
            kgi = np.broadcast_to(kgi, base[name].shape)
        else:
            kgi = _outcome(base, evaluate, scenario)
        result = _summarise(kgi, target, direction)
        with np.errstate(all="ignore"):
            p50_pct = 100 * (result.p50 - reference.p50) / abs(reference.p50)
        ranking.append(LeafSensitivity(
            name, 100 * (result.probability - reference.probability),
            float(p50_pct) if np.isfinite(p50_pct) else 0.0, leaf_dir))
    # Ties in probability (e.g. it is already ~100 %) fall back to the median's move, then
    # the name. Both are rounded far above float noise (1e-13 here) first: an evaluator
    # that updates wide sums by difference, or two factors swapped in a product, must not
    # reorder leaves that tie.
    ranking.sort(key=lambda s: (-round(s.delta_pp, RANK_DECIMALS),
                                -direction * round(s.delta_p50_pct, RANK_DECIMALS), s.leaf))
    return reference, ranking
