"""Point and interval forecasts for one KPI series, chosen per series by backtest.

Pure numpy/scipy: no Django. The pipeline is the M4 "Naive2" recipe made stronger:
classical multiplicative (or additive) seasonal adjustment when the lag-m
autocorrelation is significant, a handful of cheap closed-form methods on the
adjusted series (naive, SES, Theta, damped trend, and their combination), the
method picked by a rolling-origin backtest, then reseasonalised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from engine.seasonality import is_seasonal, reseason, season_of
from engine.smoothing import base_forecasts

# Fitting only looks at the recent past: older history rarely helps the next few
# periods and keeps ~800 series cheap to reforecast.
MAX_FIT_POINTS = 300
SHORT_SERIES_POINTS = 8
BACKTEST_ORIGINS = 3
TOP_K = 2
COMBINE_WITHIN = 1.25
SPREAD_PRIOR = 5.0


@dataclass(frozen=True)
class Forecast:
    """A forecast h steps past the end of the series, with Gaussian step uncertainty."""

    mean: np.ndarray
    sigma: np.ndarray
    lower: dict[int, np.ndarray]
    upper: dict[int, np.ndarray]
    method: str
    flags: tuple[str, ...] = ()
    backtest_score: float = float("nan")
    season_length: int = 1
    seasonal: bool = False
    candidates: dict[str, float] = field(default_factory=dict)

    @property
    def horizon(self) -> int:
        return int(self.mean.shape[0])

    def sample_paths(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw n paths of shape (n, h) with the marginal mean/sigma of each step.

        Errors accumulate like a random walk (step h+1 shares step h's shock), so sums
        over the horizon are not falsely averaged out.
        """
        h = self.horizon
        if h == 0:
            return np.empty((n, 0))
        sigma = np.nan_to_num(self.sigma, nan=0.0)
        envelope = np.maximum.accumulate(sigma)
        increments = np.sqrt(np.diff(envelope ** 2, prepend=0.0))
        walk = np.cumsum(rng.standard_normal((n, h)) * increments, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(envelope > 0, sigma / envelope, 0.0)
        return self.mean + walk * ratio


# --------------------------------------------------------------------------- cleaning


def _fill_gaps(x: np.ndarray) -> np.ndarray:
    """Linearly interpolate interior NaNs (ends are held flat)."""
    ok = np.isfinite(x)
    if ok.all() or not ok.any():
        return x
    idx = np.arange(x.size)
    return np.interp(idx, idx[ok], x[ok])


# ---------------------------------------------------------------------- the pipeline


def _all_candidates(x: np.ndarray, h: int, m: int, seasonal: bool):
    """Forecast every method (reseasonalised) from the end of x."""
    season = season_of(x, m, seasonal)
    adjusted = season.adjust(x)
    out = {name: reseason(season, x.size, mean, sigma)
           for name, (mean, sigma) in base_forecasts(adjusted, h).items()}
    if m >= 2 and x.size >= m:
        reps = np.arange(h) % m
        last = x[-m:]
        snaive_err = x[m:] - x[:-m]
        rmse = float(np.sqrt(np.mean(snaive_err ** 2))) if snaive_err.size else 0.0
        out["seasonal_naive"] = (last[reps], rmse * np.sqrt(np.arange(h) // m + 1))
    return season, out


def _smape(actual: np.ndarray, pred: np.ndarray) -> float:
    denom = np.abs(actual) + np.abs(pred)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(denom > 0, 200 * np.abs(actual - pred) / denom, 0.0)
    return float(np.mean(terms))


def _backtest(x: np.ndarray, h: int, m: int, seasonal: bool):
    """Mean sMAPE of each method over a few rolling origins (empty if too short), and
    each method's squared errors in units of its own sigma: (sum, count)."""
    h_bt = min(h, max(x.size // 5, 1))
    scores: dict[str, list[float]] = {}
    spread: dict[str, list[float]] = {}
    for k in range(BACKTEST_ORIGINS, 0, -1):
        origin = x.size - k * h_bt
        if origin < max(SHORT_SERIES_POINTS, m + 2 if m >= 2 else 0):
            continue
        train, test = x[:origin], x[origin:origin + h_bt]
        _, cands = _all_candidates(train[-_fit_window(m):], h_bt, m, seasonal)
        for name, (mean, sigma) in cands.items():
            scores.setdefault(name, []).append(_smape(test, mean))
            ok = sigma > 0
            z2 = ((test - mean)[ok] / sigma[ok]) ** 2
            got = spread.setdefault(name, [0.0, 0.0])
            got[0] += float(np.minimum(z2, 25.0).sum())
            got[1] += int(ok.sum())
    return {name: float(np.mean(v)) for name, v in scores.items()}, spread


def _sigma_scale(spread: dict[str, list[float]], ranked: list[str]) -> float:
    """How wide the chosen methods' bands should be, judged by their backtest errors.

    The model formulas assume the model is right; the backtest shows how far off its
    sigma really was. The ratio is shrunk towards 1 (SPREAD_PRIOR pseudo-errors) and
    kept within [0.5, 2].
    """
    total = sum(spread[k][0] for k in ranked if k in spread)
    count = sum(spread[k][1] for k in ranked if k in spread)
    ratio = np.sqrt((SPREAD_PRIOR + total) / (SPREAD_PRIOR + count))
    return float(np.clip(ratio, 0.5, 2.0))


def _fit_window(m: int) -> int:
    return max(MAX_FIT_POINTS, 4 * m + 8)


def _intervals(mean: np.ndarray, sigma: np.ndarray, levels, df: int | None = None):
    lower, upper = {}, {}
    for level in levels:
        q = 0.5 + level / 200
        z = student_t.ppf(q, df) if df else norm.ppf(q)
        lower[int(level)] = mean - z * sigma
        upper[int(level)] = mean + z * sigma
    return lower, upper


def _empty(horizon: int, levels, m: int, flags: tuple[str, ...]) -> Forecast:
    nan = np.full(horizon, np.nan)
    lower, upper = _intervals(nan, nan, levels)
    return Forecast(nan, nan.copy(), lower, upper, "none", flags, season_length=m)


def _short(x: np.ndarray, horizon: int, levels, m: int, flags: list[str]) -> Forecast:
    """Too little history to compare methods: naive mean with deliberately wide bands."""
    hs = np.arange(1, horizon + 1)
    level = float(np.mean(x[-3:]))
    if x.size >= 3:
        spread = max(float(np.std(np.diff(x), ddof=1)), float(np.std(x, ddof=1)))
    else:
        spread = 0.0
    # With one or two points there is no spread to measure: assume 25 % of the level.
    spread = max(spread, 0.25 * abs(level)) if x.size < 3 or spread == 0 else spread
    sigma = spread * np.sqrt(hs)
    mean = np.full(horizon, level)
    lower, upper = _intervals(mean, sigma, levels, df=max(x.size - 1, 1))
    return Forecast(mean, sigma, lower, upper, "naive_mean", tuple(flags), season_length=m)


def forecast(
    y: np.ndarray,
    horizon: int,
    season_length: int,
    exclude: np.ndarray | None = None,
    levels=(80, 95),
) -> Forecast:
    """Forecast `horizon` steps after the last element of y; never raises on odd data."""
    horizon = int(horizon)
    m = int(season_length) if season_length and season_length > 1 else 1
    x = np.asarray(y, dtype=float).ravel()
    if horizon <= 0:
        empty = np.empty(0)
        return Forecast(empty, empty, {}, {}, "none", ("empty",), season_length=m)
    if exclude is not None:
        mask = np.asarray(exclude, dtype=bool).ravel()
        x = x.copy()
        x[mask[: x.size]] = np.nan
    finite = np.flatnonzero(np.isfinite(x))
    if finite.size == 0:
        return _empty(horizon, levels, m, ("empty",))
    # Steps after the last observation still count towards the horizon.
    lag = x.size - 1 - finite[-1]
    x = _fill_gaps(x[finite[0]: finite[-1] + 1])
    flags: list[str] = []
    raw = np.asarray(y, dtype=float).ravel()
    if not np.isfinite(raw[-1]):
        flags.append("stale")  # the latest values are missing, not merely excluded
    if exclude is not None and np.any(exclude):
        flags.append("excluded")
    if exclude is not None and m >= 2:
        x = _fill_excluded_seasonally(raw, exclude, x, finite, m)
    x = x[-_fit_window(m):]
    total = horizon + lag

    if np.ptp(x) == 0 and x.size >= SHORT_SERIES_POINTS:
        flags.append("constant")
        mean = np.full(horizon, x[-1])
        sigma = np.zeros(horizon)
        lower, upper = _intervals(mean, sigma, levels)
        return Forecast(mean, sigma, lower, upper, "constant", tuple(flags), 0.0, m)
    if x.size < SHORT_SERIES_POINTS or (m >= 2 and x.size < 2 * m):
        flags.append("short_series")
        if x.size < SHORT_SERIES_POINTS:
            fc = _short(x, total, levels, m, flags)
            return _trim(fc, lag, levels)
    # Seasonality is judged once on all the history, so that backtest origins (which see
    # less of it) compare the same seasonally adjusted methods that will be used.
    seasonal = is_seasonal(x, m)
    scores, spread = _backtest(x, total, m, seasonal)
    season, cands = _all_candidates(x, total, m, seasonal)
    if scores:
        # Average the best two unless the runner-up is clearly worse: combining near-ties
        # is more robust than trusting a noisy backtest's single winner.
        ranked = sorted(scores, key=scores.get)
        best = scores[ranked[0]]
        ranked = [k for k in ranked[:TOP_K] if scores[k] <= COMBINE_WITHIN * best + 1e-9]
        method = "+".join(ranked)
        score = float(np.mean([scores[k] for k in ranked]))
        mean = np.mean([cands[k][0] for k in ranked], axis=0)
        sigma = np.mean([cands[k][1] for k in ranked], axis=0) * _sigma_scale(spread, ranked)
    else:
        method, score = ("theta", float("nan"))
        mean, sigma = cands[method]
    lower, upper = _intervals(mean, sigma, levels)
    fc = Forecast(mean, sigma, lower, upper, method, tuple(flags), score, m,
                  season.indices is not None, scores)
    return _trim(fc, lag, levels)


def _trim(fc: Forecast, lag: int, levels) -> Forecast:
    if not lag:
        return fc
    mean, sigma = fc.mean[lag:], fc.sigma[lag:]
    lower = {k: v[lag:] for k, v in fc.lower.items()}
    upper = {k: v[lag:] for k, v in fc.upper.items()}
    return Forecast(mean, sigma, lower, upper, fc.method, fc.flags, fc.backtest_score,
                    fc.season_length, fc.seasonal, fc.candidates)


def _fill_excluded_seasonally(raw, exclude, filled, finite, m):
    """Replace excluded points by the seasonal pattern around a linear bridge."""
    mask = np.asarray(exclude, dtype=bool).ravel()[: raw.size]
    mask = np.r_[mask, np.zeros(raw.size - mask.size, dtype=bool)][finite[0]: finite[-1] + 1]
    if not mask.any() or filled.size < 3 * m:
        return filled
    season = season_of(filled, m)
    if season.indices is None:
        return filled
    adjusted = season.adjust(filled)
    adjusted[mask] = np.nan
    bridged = _fill_gaps(adjusted)
    s = season.indices[np.arange(filled.size) % m]
    return bridged * s if season.multiplicative else bridged + s
