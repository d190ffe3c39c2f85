"""Seasonality for the forecaster: is a series seasonal, and its classical indices.

Pure numpy: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

STRONG_SEASONALITY = 0.64


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


@lru_cache(maxsize=64)
def _kernel(m: int) -> np.ndarray:
    """The centred 2xm (m even) or m (m odd) moving-average weights."""
    if m % 2 == 0:
        return np.concatenate(([0.5], np.ones(m - 1), [0.5])) / m
    return np.ones(m) / m


def _detrended(x: np.ndarray, m: int, multiplicative: bool):
    """x minus (or over) its centred 2xm moving average, with each point's season slot."""
    kernel = _kernel(m)
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



@dataclass(frozen=True)
class Season:
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


def season_of(x: np.ndarray, m: int, seasonal: bool | None = None) -> Season:
    """Classical indices for x when it is seasonal (decided on x unless given)."""
    if seasonal is None:
        seasonal = is_seasonal(x, m)
    if not seasonal or m < 2 or x.size < 2 * m:
        return Season(m, None, True)
    multiplicative = bool(np.all(x > 0))
    return Season(m, seasonal_indices(x, m, multiplicative), multiplicative)


def reseason(season: Season, n: int, mean: np.ndarray, sigma: np.ndarray):
    s = season.future(n, mean.size)
    if season.indices is None:
        return mean, sigma
    if season.multiplicative:
        return mean * s, sigma * s
    return mean + s, sigma

