"""Sudden changes in a KPI series, corrected for seasonality and known campaigns.

Pure numpy/statsmodels: no Django. Expected values come from a robust STL
decomposition (>= 2 seasons) or a rolling median; points whose robust residual score
(median/MAD) passes the threshold are reported, one per burst, plus the first point of
any level shift. Points inside a campaign are reported as "campaign", never "anomaly".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from statsmodels.tsa.seasonal import STL

MAD_TO_SIGMA = 1.4826
SEASONAL_WINDOW = 13


@dataclass(frozen=True)
class Anomaly:
    """One flagged point: what was seen, what was expected, and how far off it was."""

    index: int
    value: float
    expected: float
    low: float
    high: float
    score: float
    label: str  # "anomaly" | "campaign"
    kind: str = "spike"  # "spike" | "level_shift"


def _robust_scale(r: np.ndarray) -> float:
    r = r[np.isfinite(r)]
    if r.size == 0:
        return 0.0
    mad = MAD_TO_SIGMA * float(np.median(np.abs(r - np.median(r))))
    if mad > 0:
        return mad
    # More than half the residuals are identical (sparse series): fall back to the mean.
    return 1.2533 * float(np.mean(np.abs(r - np.median(r))))


def _fill(x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    if ok.all():
        return x
    idx = np.arange(x.size)
    return np.interp(idx, idx[ok], x[ok])


def _rolling_median(x: np.ndarray, window: int) -> np.ndarray:
    window = max(3, window | 1)
    if x.size < window:
        return np.full(x.size, np.median(x))
    half = window // 2
    padded = np.pad(x, half, mode="edge")
    return np.median(sliding_window_view(padded, window), axis=1)


def expected_values(x: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(expected, seasonal, half window) for a gap-free series: robust STL or a rolling
    median; the half window is how far from either end the smoother is one-sided."""
    if m >= 2 and x.size >= 2 * m:
        # A wider seasonal smoother and a trend of at least three weeks' worth of points
        # keep STL from soaking up the very noise the residuals must show. Loess is
        # evaluated every ~10 % of its window and interpolated, as R's stl() does, so
        # long intraday series (m = 288) stay well under a second.
        trend_window = max(int(np.ceil(1.5 * m / (1 - 1.5 / SEASONAL_WINDOW))), 21) | 1
        fit = STL(x, period=m, seasonal=SEASONAL_WINDOW, trend=trend_window, robust=True,
                  trend_jump=max(1, trend_window // 10),
                  low_pass_jump=max(1, m // 10)).fit()
        return fit.trend + fit.seasonal, fit.seasonal, trend_window // 2
    window = max(5, min(m if m >= 2 else 7, x.size // 2))
    return _rolling_median(x, window), np.zeros(x.size), window // 2


def _first_of_bursts(candidates: np.ndarray, refractory: int) -> list[int]:
    """First index of each burst: candidates closer than `refractory` form one event."""
    idx = np.flatnonzero(candidates)
    if idx.size == 0:
        return []
    starts = np.r_[True, np.diff(idx) > refractory]
    return [int(i) for i in idx[starts]]


def _level_shifts(adjusted: np.ndarray, window: int, noise: float, scale: float,
                  threshold: float):
    """Start indices (and scores) where the median after differs from the median before.

    The jump must be significant against the point noise of a window median and, like a
    spike, exceed `threshold` residual scales, so slow drifts in smooth series don't count.
    """
    n = adjusted.size
    if noise <= 0 or scale <= 0 or n < 2 * window + 1:
        return []
    windows = sliding_window_view(adjusted, window)
    medians = np.median(windows, axis=1)  # medians[i] = median(adjusted[i:i+window])
    t = np.arange(window, n - window + 1)
    jump = medians[t] - medians[t - window]
    # A median of `window` noisy points wanders by ~1.25 sigma / sqrt(window).
    score = jump / (noise * 1.25 * np.sqrt(2.0 / window))
    hits = (np.abs(score) > threshold) & (np.abs(jump) > threshold * scale)
    shifts = []
    start = None
    for k in range(hits.size + 1):
        if k < hits.size and hits[k]:
            start = k if start is None else start
        elif start is not None:
            # Medians plateau around a step; means of the two windows peak exactly at it.
            lo, hi = max(start - window, 0), min(k + window, t.size)
            means = windows.mean(axis=1)
            mean_jump = np.abs(means[t[lo:hi]] - means[t[lo:hi] - window])
            best = lo + int(np.argmax(mean_jump))
            shifts.append((int(t[best]), float(score[start + int(np.argmax(np.abs(
                score[start:k])))])))
            start = None
    return shifts


def detect(
    y: np.ndarray,
    season_length: int,
    campaign_mask: np.ndarray | None = None,
    threshold: float = 4.0,
    refractory: int | None = None,
) -> list[Anomaly]:
    """Flag points far from their seasonal expectation, and level shifts at their start.

    `refractory` (default: one season, at most 24 points) is how long after a kept
    detection further ones are treated as the same event.
    """
    x = np.asarray(y, dtype=float).ravel()
    m = int(season_length) if season_length and season_length > 1 else 1
    observed = np.isfinite(x)
    if observed.sum() < 4:
        return []
    campaign = np.zeros(x.size, dtype=bool)
    if campaign_mask is not None:
        mask = np.asarray(campaign_mask, dtype=bool).ravel()[: x.size]
        campaign[: mask.size] = mask
    # Campaign points are annotations: keep them out of what "normal" looks like.
    fit_input = np.where(campaign, np.nan, x)
    if not np.isfinite(fit_input).any():
        fit_input = x
    filled = _fill(fit_input)
    if np.ptp(filled) == 0 and np.ptp(x[observed]) == 0:
        return []
    expected, seasonal, half = expected_values(filled, m)
    residual = x - expected
    adjusted = _fill(np.where(campaign, np.nan, x)) - seasonal
    noise = _robust_scale(np.diff(adjusted)) / np.sqrt(2)
    if m >= 2 and x.size > 2 * m:
        # Year-on-year (season-on-season) changes ignore how STL split the signal.
        noise = max(noise, _robust_scale(adjusted[m:] - adjusted[:-m]) / np.sqrt(2))
    # In-sample residuals understate the noise (the smoother bends towards each point);
    # point-to-point differences of the adjusted series do not, unless the series is
    # autocorrelated, where the residual spread is the larger one. Take the larger.
    scale = max(_robust_scale(np.where(campaign, np.nan, residual)), noise)
    if scale <= 0:
        scale = _robust_scale(residual) or float(np.std(x[observed])) or 1.0
    # Near either end the smoother sees one side only and its expectation is shakier:
    # allow up to 50 % more spread at the very first and last points.
    distance = np.minimum(np.arange(x.size), np.arange(x.size)[::-1])
    widen = 1 + 0.5 * np.clip(1 - distance / max(half, 1), 0, 1)
    score = np.where(observed, residual / (scale * widen), 0.0)

    refractory = min(m, 24) if refractory is None else max(int(refractory), 1)
    found: dict[int, Anomaly] = {}

    def add(i: int, s: float, kind: str) -> None:
        label = "campaign" if campaign[i] else "anomaly"
        band = threshold * scale * widen[i]
        found[i] = Anomaly(i, float(x[i]), float(expected[i]), float(expected[i] - band),
                           float(expected[i] + band), float(s), label, kind)

    for label_mask in (campaign, ~campaign):
        candidates = (np.abs(score) > threshold) & label_mask & observed
        for i in _first_of_bursts(candidates, refractory):
            add(i, score[i], "spike")

    window = max(4, min(m, x.size // 8))
    for i, s in _level_shifts(adjusted, window, noise, scale, threshold):
        if not observed[i]:
            continue
        nearby = [k for k in found if abs(k - i) <= window and found[k].kind == "spike"]
        for k in nearby:
            del found[k]
        add(i, s, "level_shift")
    return [found[i] for i in sorted(found)]
