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

# Fitting only looks at the recent past: older history rarely helps the next few
# periods and keeps ~800 series cheap to reforecast.
MAX_FIT_POINTS = 300
SHORT_SERIES_POINTS = 8
BACKTEST_ORIGINS = 3
TOP_K = 2
COMBINE_WITHIN = 1.25
STRONG_SEASONALITY = 0.64

_SES_ALPHAS = np.array([0.02, 0.05, 0.08, 0.11, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7,
                        0.8, 0.9, 1.0])
_DAMPED_GRID = [(a, b, p) for a in (0.1, 0.3, 0.5, 0.8, 1.0)
                for b in (0.01, 0.05, 0.15) for p in (0.8, 0.9, 0.98)]
# One table for both fits: SES rows first (no trend), then the damped grid with beta·alpha.
_FIT_PARAMS = np.array([(a, 0.0, 1.0) for a in _SES_ALPHAS]
                       + [(a, b * a, p) for a, b, p in _DAMPED_GRID])
_IS_SES = np.arange(len(_FIT_PARAMS)) < len(_SES_ALPHAS)


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


# ---------------------------------------------------------------------- seasonality


def _acf(x: np.ndarray, max_lag: int) -> np.ndarray:
    d = x - x.mean()
    denom = float(d @ d)
    if denom <= 0:
        return np.zeros(max_lag + 1)
    return np.array([1.0] + [float(d[k:] @ d[:-k]) / denom for k in range(1, max_lag + 1)])


def is_seasonal(x: np.ndarray, m: int) -> bool:
    """Seasonal if M4's 90 % lag-m autocorrelation test says so (n >= 3m), or if a
    classical decomposition's seasonal part explains most of the detrended variance
    (n >= 2m), which catches clean patterns whose other lags inflate the ACF limit."""
    n = x.size
    if m < 2 or n < 2 * m:
        return False
    if n >= 3 * m:
        r = _acf(x, m)
        limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[1:m] ** 2)) / n)
        if abs(r[m]) > limit:
            return True
    return seasonal_strength(x, m) >= STRONG_SEASONALITY


def seasonal_strength(x: np.ndarray, m: int) -> float:
    """Hyndman's F_s = 1 - var(remainder) / var(seasonal + remainder), in [0, 1]."""
    detrended, positions = _detrended(x, m, multiplicative=False)
    if detrended.size < 2 * m:
        return 0.0
    means = np.bincount(positions, weights=detrended, minlength=m) / np.maximum(
        np.bincount(positions, minlength=m), 1)
    remainder = detrended - means[positions]
    total = float(np.var(detrended))
    return max(0.0, 1.0 - float(np.var(remainder)) / total) if total > 0 else 0.0


def _detrended(x: np.ndarray, m: int, multiplicative: bool):
    """x minus (or over) its centred 2xm moving average, with each point's season slot."""
    if m % 2 == 0:
        kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        kernel = np.ones(m) / m
    trend = np.convolve(x, kernel, mode="valid")
    offset = (kernel.size - 1) // 2
    core = x[offset:offset + trend.size]
    detrended = core / trend if multiplicative else core - trend
    return detrended, (np.arange(trend.size) + offset) % m


def seasonal_indices(x: np.ndarray, m: int, multiplicative: bool) -> np.ndarray:
    """Classical decomposition: one index per position in the season, aligned to x[0]."""
    detrended, positions = _detrended(x, m, multiplicative)
    sums = np.bincount(positions, weights=detrended, minlength=m)
    counts = np.bincount(positions, minlength=m)
    idx = sums / np.maximum(counts, 1)
    if multiplicative:
        idx = idx / idx.mean()
    else:
        idx = idx - idx.mean()
    return idx


# ---------------------------------------------------------------------- base methods


def _fit_grids(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run SES (every alpha) and Holt's damped trend (every grid point) in one pass.

    SES is the damped model with no trend, so both grids share one recursion, vectorised
    across the grid; in-place updates keep the per-step cost to a few tiny numpy calls.
    Returns the parameter rows (alpha, beta·alpha, phi), final level and trend, and SSE.
    """
    params = _FIT_PARAMS
    a, b, p = params[:, 0], params[:, 1], params[:, 2]
    level = np.full(len(params), x[0])
    trend = np.where(_IS_SES, 0.0, x[1] - x[0] if x.size > 1 else 0.0)
    sse = np.zeros(len(params))
    pred = np.empty(len(params))
    err = np.empty(len(params))
    for value in x[1:].tolist():
        np.multiply(p, trend, out=pred)
        pred += level
        np.subtract(value, pred, out=err)
        sse += err * err
        np.multiply(a, err, out=level)
        level += pred
        trend *= p
        trend += b * err
    return params, level, trend, sse


def _ses(x: np.ndarray, fits=None) -> tuple[float, float, float]:
    """Grid-fitted simple exponential smoothing: (alpha, final level, one-step rmse)."""
    params, level, _trend, sse = fits if fits is not None else _fit_grids(x)
    k = int(np.argmin(sse[_IS_SES]))
    return (float(params[k, 0]), float(level[k]),
            float(np.sqrt(sse[k] / max(x.size - 1, 1))))


def _damped(x: np.ndarray, h: int, fits=None):
    """Holt's damped trend fitted on a small grid: (mean, rmse, (alpha, beta, phi))."""
    params, level, trend, sse = fits if fits is not None else _fit_grids(x)
    offset = int(_IS_SES.sum())
    k = offset + int(np.argmin(sse[offset:]))
    a, b, p = params[k]
    steps = np.cumsum(p ** np.arange(1, h + 1))
    mean = level[k] + steps * trend[k]
    rmse = float(np.sqrt(sse[k] / max(x.size - 1, 1)))
    return mean, rmse, (float(a), float(b), float(p))


def _theta(x: np.ndarray, h: int, alpha: float, level: float) -> np.ndarray:
    """Standard Theta (SES + half the linear drift), Hyndman & Billah form."""
    n = x.size
    t = np.arange(n)
    # The least-squares slope in closed form (np.polyfit's lstsq costs 10× more).
    slope = float(np.dot(t - t.mean(), x - x.mean()) / np.dot(t - t.mean(), t - t.mean())) \
        if n > 2 else 0.0
    hs = np.arange(1, h + 1)
    drift = slope / 2 * (hs - 1 + 1 / alpha - (1 - alpha) ** n / alpha)
    return level + drift


def _base_forecasts(x: np.ndarray, h: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every candidate's (mean, sigma) on the adjusted series."""
    hs = np.arange(1, h + 1)
    diffs = np.diff(x)
    naive_rmse = float(np.sqrt(np.mean(diffs ** 2))) if diffs.size else 0.0
    fits = _fit_grids(x)
    alpha, level, ses_rmse = _ses(x, fits)
    ses_sigma = ses_rmse * np.sqrt(1 + (hs - 1) * alpha ** 2)
    out = {
        "naive": (np.full(h, x[-1]), naive_rmse * np.sqrt(hs)),
        "ses": (np.full(h, level), ses_sigma),
        "theta": (_theta(x, h, alpha, level), ses_sigma),
    }
    if x.size >= 4:
        mean, rmse, (a, b, p) = _damped(x, h, fits)
        c = a + b * p * (1 - p ** (hs - 1)) / (1 - p)
        sigma = rmse * np.sqrt(np.cumsum(np.r_[1.0, c[:-1] ** 2]))
        out["damped"] = (mean, sigma)
        out["combo"] = ((out["ses"][0] + out["theta"][0] + mean) / 3,
                        (ses_sigma + ses_sigma + sigma) / 3)
    return out


# ---------------------------------------------------------------------- the pipeline


@dataclass(frozen=True)
class _Season:
    m: int
    indices: np.ndarray | None  # aligned so indices[i % m] belongs to x[i]
    multiplicative: bool

    def adjust(self, x: np.ndarray) -> np.ndarray:
        if self.indices is None:
            return x
        s = self.indices[np.arange(x.size) % self.m]
        return x / s if self.multiplicative else x - s

    def future(self, n: int, h: int) -> np.ndarray:
        if self.indices is None:
            return np.ones(h)
        return self.indices[(n + np.arange(h)) % self.m]


def _season_of(x: np.ndarray, m: int, seasonal: bool | None = None) -> _Season:
    """Classical indices for x when it is seasonal (decided on x unless given)."""
    if seasonal is None:
        seasonal = is_seasonal(x, m)
    if not seasonal or m < 2 or x.size < 2 * m:
        return _Season(m, None, True)
    multiplicative = bool(np.all(x > 0))
    return _Season(m, seasonal_indices(x, m, multiplicative), multiplicative)


def _reseason(season: _Season, n: int, mean: np.ndarray, sigma: np.ndarray):
    s = season.future(n, mean.size)
    if season.indices is None:
        return mean, sigma
    if season.multiplicative:
        return mean * s, sigma * s
    return mean + s, sigma


def _all_candidates(x: np.ndarray, h: int, m: int, seasonal: bool):
    """Forecast every method (reseasonalised) from the end of x."""
    season = _season_of(x, m, seasonal)
    adjusted = season.adjust(x)
    out = {name: _reseason(season, x.size, mean, sigma)
           for name, (mean, sigma) in _base_forecasts(adjusted, h).items()}
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


def _backtest(x: np.ndarray, h: int, m: int, seasonal: bool) -> dict[str, float]:
    """Mean sMAPE of each method over a few rolling origins (empty if too short)."""
    h_bt = min(h, max(x.size // 5, 1))
    scores: dict[str, list[float]] = {}
    for k in range(BACKTEST_ORIGINS, 0, -1):
        origin = x.size - k * h_bt
        if origin < max(SHORT_SERIES_POINTS, m + 2 if m >= 2 else 0):
            continue
        train, test = x[:origin], x[origin:origin + h_bt]
        _, cands = _all_candidates(train[-_fit_window(m):], h_bt, m, seasonal)
        for name, (mean, _) in cands.items():
            scores.setdefault(name, []).append(_smape(test, mean))
    return {name: float(np.mean(v)) for name, v in scores.items()}


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
    scores = _backtest(x, total, m, seasonal)
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
        sigma = np.mean([cands[k][1] for k in ranked], axis=0)
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
    season = _season_of(filled, m)
    if season.indices is None:
        return filled
    adjusted = season.adjust(filled)
    adjusted[mask] = np.nan
    bridged = _fill_gaps(adjusted)
    s = season.indices[np.arange(filled.size) % m]
    return bridged * s if season.multiplicative else bridged + s
