"""Point and interval forecasts for one KPI series, chosen per series by backtest.

Pure numpy/scipy: no Django. The pipeline is the M4 "Naive2" recipe made stronger:
classical multiplicative (or additive) seasonal adjustment when the lag-m
autocorrelation is significant, a handful of cheap closed-form methods on the
adjusted series (naive, SES, Theta, damped trend, and their combination), the
method picked by a rolling-origin backtest, then reseasonalised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from engine.seasonality import is_seasonal, reseason, season_of
from engine.smoothing import _fit_grids, base_forecasts, fit_grids_many

# Fitting only looks at the recent past: older history rarely helps the next few
# periods and keeps ~800 series cheap to reforecast.
MAX_FIT_POINTS = 300
SHORT_SERIES_POINTS = 8
BACKTEST_ORIGINS = 3
TOP_K = 2
COMBINE_WITHIN = 1.25
SPREAD_PRIOR = 5.0


def _code_version() -> str:
    """A hash of the forecaster's own code and numpy's version: a stored forecast is only
    reused by the code that would compute the same numbers (any edit invalidates it)."""
    digest = hashlib.sha256(np.__version__.encode())
    here = Path(__file__).resolve().parent
    for name in ("forecast.py", "smoothing.py", "seasonality.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


FORECAST_VERSION = _code_version()


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


def _adjust(x: np.ndarray, m: int, seasonal: bool):
    """The series' season and its seasonally adjusted values (what the methods fit)."""
    season = season_of(x, m, seasonal)
    return season, season.adjust(x)


def _candidates(x: np.ndarray, h: int, m: int, season, adjusted, fits):
    """Forecast every method (reseasonalised) from the end of x, given the adjusted
    series' grid fits."""
    out = {name: reseason(season, x.size, mean, sigma)
           for name, (mean, sigma) in base_forecasts(adjusted, h, fits).items()}
    if m >= 2 and x.size >= m:
        reps = np.arange(h) % m
        last = x[-m:]
        snaive_err = x[m:] - x[:-m]
        rmse = float(np.sqrt(np.mean(snaive_err ** 2))) if snaive_err.size else 0.0
        out["seasonal_naive"] = (last[reps], rmse * np.sqrt(np.arange(h) // m + 1))
    return out


def _backtest_windows(x: np.ndarray, h: int, m: int):
    """The rolling origins' (train window, test) pairs, oldest first (none if too short)."""
    h_bt = min(h, max(x.size // 5, 1))
    windows = []
    for k in range(BACKTEST_ORIGINS, 0, -1):
        origin = x.size - k * h_bt
        if origin < max(SHORT_SERIES_POINTS, m + 2 if m >= 2 else 0):
            continue
        windows.append((x[:origin][-_fit_window(m):], x[origin:origin + h_bt]))
    return windows


def _backtest_scores(windows, cands_per_window):
    """Mean sMAPE of each method over the origins (empty if none), and each method's
    backtest errors in units of its own sigma (each within ±5).

    All methods of an origin are scored at once (one row each), which costs a fraction
    of scoring them one by one.
    """
    scores: dict[str, list[float]] = {}
    spread: dict[str, list[float]] = {}
    for (_train, test), cands in zip(windows, cands_per_window):
        names = list(cands)
        mean = np.array([cands[name][0] for name in names])
        sigma = np.array([cands[name][1] for name in names])
        miss = test - mean
        denom = np.abs(test) + np.abs(mean)
        ok = sigma > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            terms = np.where(denom > 0, 200 * np.abs(miss) / denom, 0.0)
            z = np.clip(miss / np.where(ok, sigma, 1.0), -5.0, 5.0)
        smape = terms.sum(axis=1) / test.size
        for row, name in enumerate(names):
            scores.setdefault(name, []).append(float(smape[row]))
            spread.setdefault(name, []).extend(z[row][ok[row]].tolist())
    return {name: sum(v) / len(v) for name, v in scores.items()}, spread


def small_sample_factor(n: int) -> float:
    """How much wider a P10–P90 band must be when its scale was estimated from n errors:
    the predictive Student t's quantile over the normal's, t(0.9, n−1)/z(0.9)·√(1 + 1/n)
    (1 with no errors to judge by; → 1 as n grows)."""
    if n < 2:
        return 1.0
    return _quantile(80, n - 1) / _quantile(80, None) * float(np.sqrt(1 + 1 / n))


def quantile_scale(z: np.ndarray) -> float:
    """The spread of errors z at the P10–P90 scale: (q90 − q10) / (2·z(0.9)), the sigma a
    normal band needs to cover 80 % of them. Heavy-tailed errors (a few large misses
    among many small ones) get a narrower scale than their RMS."""
    # Hyndman & Fan's type 9: about unbiased for normal samples (the default, type 7,
    # reads the P10–P90 of 9 normal errors 19 % too narrow).
    q10, q90 = np.quantile(z, [0.1, 0.9], method="normal_unbiased")
    return float((q90 - q10) / (2 * _quantile(80, None)))


def _sigma_scale(spread: dict[str, list[float]], ranked: list[str]) -> float:
    """How wide the chosen methods' bands should be, judged by their backtest errors.

    The model formulas assume the model is right; the backtest shows how far off its
    sigma really was, read at the P10–P90 scale (``quantile_scale``). The ratio is shrunk
    towards 1 (SPREAD_PRIOR pseudo-errors), widened for being estimated from only n
    errors (``small_sample_factor``) and kept within [0.5, 2].
    """
    z = np.array([v for k in ranked for v in spread.get(k, ())])
    if z.size < 2:
        return 1.0
    n = z.size
    # The combined methods were scored on the same points: those are the errors the
    # scale was estimated from.
    points = max(len(spread.get(k, ())) for k in ranked)
    ratio = np.sqrt((SPREAD_PRIOR + n * quantile_scale(z) ** 2) / (SPREAD_PRIOR + n))
    return float(np.clip(ratio * small_sample_factor(points), 0.5, 2.0))


def _fit_window(m: int) -> int:
    return max(MAX_FIT_POINTS, 4 * m + 8)


@lru_cache(maxsize=256)
def _quantile(level: float, df: int | None) -> float:
    """The two-sided interval's z (Student t with df, else normal): scipy's ppf costs
    ~0.5 ms a call, as much as a series' fit, so each (level, df) is computed once."""
    q = 0.5 + level / 200
    return float(student_t.ppf(q, df) if df else norm.ppf(q))


def _intervals(mean: np.ndarray, sigma: np.ndarray, levels, df: int | None = None):
    lower, upper = {}, {}
    for level in levels:
        z = _quantile(level, df)
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
    select: bool = True,
) -> Forecast:
    """Forecast `horizon` steps after the last element of y; never raises on odd data.

    ``select=False`` skips the backtest that picks the method (a quarter of the cost) and
    uses the combination of SES, Theta and the damped trend (Theta on very short series):
    for forecasts kept for the record rather than decided on.
    """
    return _drive(_pipeline(y, horizon, season_length, exclude, levels, select),
                  lambda arrays: [_fit_grids(a) for a in arrays])


def forecast_many(requests, levels=(80, 95)) -> list[Forecast]:
    """``forecast(y, horizon, season_length, exclude[, select])`` of every request tuple.

    The grid fits of every series and every backtest origin run as one vectorised
    recursion per series length (``fit_grids_many``), which gives bit-identical fits, so
    each result equals ``forecast``'s; the rest of the pipeline is per series.
    """
    out: list[Forecast | None] = [None] * len(requests)
    waiting, arrays = [], []
    for i, request in enumerate(requests):
        y, horizon, season_length, exclude, *select = request
        pipe = _pipeline(y, horizon, season_length, exclude, levels, *select)
        try:
            need = next(pipe)
        except StopIteration as done:  # too short, constant or empty: no fit needed
            out[i] = done.value
            continue
        waiting.append((i, pipe, len(arrays), len(need)))
        arrays.extend(need)
    fits = fit_grids_many(arrays)
    for i, pipe, start, count in waiting:
        out[i] = _drive(pipe, lambda _arrays, s=start, c=count: fits[s:s + c], started=True)
    return out


def _drive(pipe, fit, started: bool = False) -> Forecast:
    """Run a pipeline to its Forecast, answering its one request for grid fits with fit()."""
    try:
        need = None if started else next(pipe)
        pipe.send(fit(need))
    except StopIteration as done:
        return done.value
    raise RuntimeError("the forecast pipeline asked for fits twice")


def _pipeline(y, horizon, season_length, exclude, levels, select=True):
    """forecast()'s steps as a generator: it yields once, the list of adjusted series whose
    grid fits it needs (every backtest origin's and the final one), receives those fits
    and returns the Forecast; series that need no fit return before yielding."""
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
    windows = _backtest_windows(x, total, m) if select else []
    trains = [(train, test.size) for train, test in windows] + [(x, total)]
    adjusted = [_adjust(train, m, seasonal) for train, _h in trains]
    fits = yield [series for _season, series in adjusted]
    cands = [_candidates(train, h, m, season, series, fit)
             for (train, h), (season, series), fit in zip(trains, adjusted, fits)]
    scores, spread = _backtest_scores(windows, cands[:-1])
    season, cands = adjusted[-1][0], cands[-1]
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
        method, score = ("combo" if "combo" in cands and not select else "theta", float("nan"))
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
