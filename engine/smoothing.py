"""Closed-form exponential smoothing methods on a (seasonally adjusted) series.

Pure numpy: no Django. SES, Holt's damped trend (ETS(A,Ad,N)), Theta and naive, each
with its mean and its h-step standard deviation.
"""

from __future__ import annotations

import numpy as np

_SES_ALPHAS = np.array([0.02, 0.05, 0.08, 0.11, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7,
                        0.8, 0.9, 1.0])
_DAMPED_GRID = [(a, b, p) for a in (0.1, 0.3, 0.5, 0.8, 1.0)
                for b in (0.01, 0.05, 0.15) for p in (0.8, 0.9, 0.98)]
# One table for both fits: SES rows first (no trend), then the damped grid with beta·alpha.
_FIT_PARAMS = np.array([(a, 0.0, 1.0) for a in _SES_ALPHAS]
                       + [(a, b * a, p) for a, b, p in _DAMPED_GRID])
_IS_SES = np.arange(len(_FIT_PARAMS)) < len(_SES_ALPHAS)
# What the batched fit's state may take at once: half of a core's 512 KB L2 on EPYC.
_BLOCK_BYTES = 256 * 1024


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


def fit_grids_many(arrays: list[np.ndarray]) -> list[tuple]:
    """``_fit_grids`` of every array, run as one recursion per group of equal length.

    The same elementwise operations in the same order as ``_fit_grids`` (each row of the
    2-D state is one series × grid point), so every result is bit-identical to fitting the
    series one by one; only the Python loop over time steps is shared.
    """
    out: list[tuple | None] = [None] * len(arrays)
    by_length: dict[int, list[int]] = {}
    for i, x in enumerate(arrays):
        by_length.setdefault(int(x.size), []).append(i)
    params = _FIT_PARAMS
    a, b, p = params[:, 0], params[:, 1], params[:, 2]
    # A block of series at a time, so the five state arrays of a step stay in a core's L2
    # (a 10× bigger company made one block 20 MB and each series 1.5× slower).
    rows = max(1, _BLOCK_BYTES // (5 * 8 * len(params)))
    blocks = [(n, members[start:start + rows]) for n, members in by_length.items()
              for start in range(0, len(members), rows)]
    for n, members in blocks:
        # Time-major, so each step reads one contiguous row of values.
        values = np.stack([np.asarray(arrays[i], dtype=float) for i in members]).T.copy()
        first = values[0][:, None]
        level = np.repeat(first, len(params), axis=1)
        slope = (values[1] - values[0])[:, None] if n > 1 else np.zeros((len(members), 1))
        trend = np.where(_IS_SES, 0.0, slope)
        sse = np.zeros_like(level)
        pred = np.empty_like(level)
        err = np.empty_like(level)
        for step in range(1, n):
            value = values[step][:, None]
            np.multiply(p, trend, out=pred)
            pred += level
            np.subtract(value, pred, out=err)
            sse += err * err
            np.multiply(a, err, out=level)
            level += pred
            trend *= p
            trend += b * err
        for row, i in enumerate(members):
            out[i] = (params, level[row], trend[row], sse[row])
    return out


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


def base_forecasts(x: np.ndarray, h: int, fits=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every candidate's (mean, sigma) on the adjusted series (``fits``: its
    ``_fit_grids``, when they were computed in a batch)."""
    hs = np.arange(1, h + 1)
    diffs = np.diff(x)
    naive_rmse = float(np.sqrt(np.mean(diffs ** 2))) if diffs.size else 0.0
    fits = fits if fits is not None else _fit_grids(x)
    alpha, level, ses_rmse = _ses(x, fits)
    ses_sigma = ses_rmse * np.sqrt(1 + (hs - 1) * alpha ** 2)
    out = {
        "naive": (np.full(h, x[-1]), naive_rmse * np.sqrt(hs)),
        "ses": (np.full(h, level), ses_sigma),
        "theta": (_theta(x, h, alpha, level), ses_sigma),
    }
    if x.size >= 4:
        mean, rmse, (a, b, p) = _damped(x, h, fits)
        # ETS(A,Ad,N): var_h = s²(1 + Σ_{j<h} c_j²), c_j = α + β(φ + … + φ^j).
        c = a + b * p * (1 - p ** hs) / (1 - p)
        sigma = rmse * np.sqrt(np.cumsum(np.concatenate(([1.0], c[:-1] ** 2))))
        out["damped"] = (mean, sigma)
        out["combo"] = ((out["ses"][0] + out["theta"][0] + mean) / 3,
                        (ses_sigma + ses_sigma + sigma) / 3)
    return out

