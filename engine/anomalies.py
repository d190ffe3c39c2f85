"""Sudden changes in a KPI series, decided online, corrected for seasonality and campaigns.

Pure numpy: no Django. Each point is judged only from the points before it, as the
nightly job sees it on the day it arrives: its one-step prediction (a robust level of
the recent past, plus a seasonal term where at least three full cycles support one and
it predicts better than none) against a robust scale of the past prediction errors,
floored so it cannot collapse. Flagged points and campaign periods are kept out of what
"normal" looks like. Four flags in a row on the same side are one level shift, after
which the new level is normal. Scores are capped at ±100.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

MAD_TO_SIGMA = 1.4826
THRESHOLD = 3.2  # tuned on the even seeds of bench/anomaly_synthetic.py
SCORE_CAP = 100.0
MIN_CYCLES = 3  # seasonality needs at least three full cycles of history
MIN_HISTORY = 13  # points before the first decision (a quarter of weekly numbers)
LEVEL_POINTS = 8  # the level is a line through this many recent (adjusted) points
TREND_WEIGHT = 1.0  # share of the line (vs the plain median) in the prediction
TREND_DAMPING = 0.0
ERROR_POINTS = 52  # the noise scale comes from this many recent prediction errors
# A MAD is a noisy scale: from k errors it is worth ~0.37 k normal ones (its asymptotic
# efficiency), so the threshold is read on a Student t with that many degrees of freedom.
MAD_EFFICIENCY = 0.37
SHIFT_RUN = 4  # consecutive same-side flags that make a level shift (3 is a burst)
# The noise scale never goes below this share of the level (1 %; in level units for
# series that can be negative): a flat series must not turn a wobble into a score of 1e14.
RELATIVE_FLOOR = 0.01

# How the app runs the detector per KPI cadence: season length and how many periods
# apart two flags must be to count as two events.
CADENCE_SETTINGS = {"daily": {"season_length": 7, "refractory": 3},
                    "weekly": {"season_length": 52, "refractory": 2},
                    "monthly": {"season_length": 12, "refractory": 1}}


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
    kind: str = "spike"  # "spike" (up or down: see the score's sign) | "level_shift"


def _robust_scale(r: np.ndarray) -> float:
    r = r[np.isfinite(r)]
    if r.size == 0:
        return 0.0
    centre = np.median(r)
    mad = MAD_TO_SIGMA * float(np.median(np.abs(r - centre)))
    # More than half the errors identical (sparse series): the mean deviation still sees
    # the rest.
    return max(mad, 1.2533 * float(np.mean(np.abs(r - centre))) / 2)


def _last_finite(values: np.ndarray, k: int) -> np.ndarray:
    finite = values[np.isfinite(values)]
    return finite[-k:]


@lru_cache(maxsize=1024)
def t_widening(errors: int, threshold: float) -> float:
    """How much wider than the normal's the threshold is when the scale comes from
    `errors` prediction errors (about 1.2 for 52, 2.9 for 8)."""
    df = max(MAD_EFFICIENCY * errors, 1.0)
    return float(student_t.ppf(norm.cdf(threshold), df) / threshold)


class _Online:
    """The detector's state while it walks the series forwards."""

    def __init__(self, z: np.ndarray, m: int, campaign: np.ndarray, threshold: float):
        self.z, self.m, self.campaign, self.threshold = z, m, campaign, threshold
        self.clean = np.where(campaign, np.nan, z)  # what "normal" looks like so far
        self.errors = {False: np.full(z.size, np.nan), True: np.full(z.size, np.nan)}
        self.regime = 0  # first index of the current level (after a shift)
        self.season = np.full(z.size, np.nan)  # each point's seasonal term, set on arrival

    def _seasonal(self, i: int, t: int) -> float:
        """Seasonal term at i from the same phase in other whole cycles before t."""
        # The level around j is the mean over one whole cycle centred on it.
        half = self.m // 2
        parts = []
        for j in range(i % self.m, t - half, self.m):
            if j == i or j - half < 0 or not np.isfinite(self.clean[j]):
                continue
            local = self.clean[j - half: j - half + self.m]
            local = local[np.isfinite(local)]
            if local.size >= self.m // 2:
                parts.append(self.clean[j] - float(np.mean(local)))
        return float(np.median(parts[-5:])) if len(parts) >= MIN_CYCLES else np.nan

    def seasonal_at(self, i: int, t: int) -> float:
        """Each point's seasonal term, estimated once, from what was known when needed."""
        if not np.isfinite(self.season[i]):
            self.season[i] = self._seasonal(i, t)
        return self.season[i]

    def predict(self, t: int, seasonal: bool) -> float:
        """One step ahead: a line through the recent (seasonally adjusted) points."""
        start = self.regime if np.isfinite(self.clean[self.regime:t]).sum() >= 3 else 0
        idx = np.flatnonzero(np.isfinite(self.clean[start:t]))[-LEVEL_POINTS:] + start
        if idx.size == 0:
            return np.nan
        past = self.clean[idx]
        if seasonal:
            past = past - np.array([self.seasonal_at(int(i), t) for i in idx])
            if not np.all(np.isfinite(past)):
                return np.nan
        if idx.size < 4:
            level = float(np.median(past))
        else:
            slope, intercept = np.polyfit(idx.astype(float), past, 1)
            level = float(intercept + slope * (t - TREND_DAMPING * (t - idx[-1] - 1)))
            level = TREND_WEIGHT * level + (1 - TREND_WEIGHT) * float(np.median(past))
        return level + (self.seasonal_at(t, t) if seasonal else 0.0)

    def scale(self, t: int, seasonal: bool, level: float, positive: bool) -> float:
        """Robust spread of the past prediction errors, widened while there are few."""
        past = _last_finite(self.errors[seasonal][:t], ERROR_POINTS)
        floor = RELATIVE_FLOOR if positive else RELATIVE_FLOOR * max(abs(level), 1e-9)
        if past.size < 4:
            recent = _last_finite(self.clean[:t], LEVEL_POINTS)
            return max(2 * _robust_scale(np.diff(recent)), floor)
        # A MAD from k errors is itself uncertain: the first months of a new KPI must
        # not flag ordinary weeks. The widening is that of a t with the MAD's degrees of
        # freedom, from the errors the scale is actually made of (at most ERROR_POINTS).
        return max(_robust_scale(past) * t_widening(past.size, self.threshold), floor)


def detect(
    y: np.ndarray,
    season_length: int,
    campaign_mask: np.ndarray | None = None,
    threshold: float = THRESHOLD,
    refractory: int | None = None,
) -> list[Anomaly]:
    """Flag points far from what the points before them predicted, and level shifts.

    `refractory` (default 2) is how many periods after a kept flag further flags are
    the same event. Campaign points over the threshold are labelled "campaign".
    """
    x = np.asarray(y, dtype=float).ravel()
    n = x.size
    m = int(season_length) if season_length and season_length > 1 else 1
    observed = np.isfinite(x)
    if observed.sum() < MIN_HISTORY:
        return []
    campaign = np.zeros(n, dtype=bool)
    if campaign_mask is not None:
        mask = np.asarray(campaign_mask, dtype=bool).ravel()[:n]
        campaign[: mask.size] = mask
    positive = bool(np.all(x[observed] > 0))
    z = np.log(np.where(observed, x, 1.0)) if positive else x.copy()
    z[~observed] = np.nan
    state = _Online(z, m, campaign, float(threshold))
    refractory = 2 if refractory is None else max(int(refractory), 1)
    flags: dict[int, tuple[float, float, float]] = {}  # index -> (score, pred, scale)
    run: list[int] = []
    # Short seasons (days of the week, months of the year) are waited for: judging a
    # weekend against weekdays would flag and mask every weekend. A weekly KPI cannot
    # wait three years; it starts after a quarter and adds its season when it can.
    first = MIN_CYCLES * m if m >= 2 and MIN_CYCLES * m <= max(60, n // 3) else 0
    for t in range(n):
        if not observed[t] or np.isfinite(state.clean[:t]).sum() < MIN_HISTORY:
            continue
        if t < first:
            continue
        use_season = m >= 2 and t >= MIN_CYCLES * m
        preds = {False: state.predict(t, False)}
        if use_season:
            preds[True] = state.predict(t, True)
            # The season is used once it has predicted a few points, and only while its
            # band (widened for how few errors back it) is narrower than without it.
            ready = np.isfinite(state.errors[True][:t]).sum() >= 8
            use_season = bool(np.isfinite(preds[True]) and ready and (
                state.scale(t, True, preds[True], positive)
                < state.scale(t, False, preds[False], positive)))
        pred = preds[use_season]
        if not np.isfinite(pred):
            continue
        scale = state.scale(t, use_season, pred, positive)
        error = z[t] - pred
        score = float(np.clip(error / scale, -SCORE_CAP, SCORE_CAP))
        if abs(score) <= threshold or campaign[t]:
            if not campaign[t]:
                for k, p in preds.items():
                    state.errors[k][t] = z[t] - p
            if campaign[t] and abs(score) > threshold:
                flags[t] = (score, pred, scale)
            run = []
            continue
        flags[t] = (score, pred, scale)
        state.clean[t] = np.nan  # a flagged point is not what normal looks like
        run = run + [t] if run and np.sign(flags[run[-1]][0]) == np.sign(score) else [t]
        if len(run) >= SHIFT_RUN:
            # The new level is here to stay: it becomes normal from its first point.
            state.regime = run[0]
            state.clean[run] = z[run]
            run = []
    return _report(x, flags, campaign, threshold, refractory, positive, state)


def _report(x, flags, campaign, threshold, refractory, positive, state) -> list[Anomaly]:
    shifts = {start for start in _shift_starts(flags, state)}
    out: list[Anomaly] = []
    last_kept = {True: -10 ** 9, False: -10 ** 9}
    covered: set[int] = set()
    for start in shifts:
        covered.update(range(start + 1, start + SHIFT_RUN))
    for i in sorted(flags):
        if i in covered:
            continue
        score, pred, scale = flags[i]
        in_campaign = bool(campaign[i])
        if i not in shifts and i - last_kept[in_campaign] <= refractory:
            continue
        last_kept[in_campaign] = i
        kind = "level_shift" if i in shifts else "spike"  # the score's sign says up or down
        back = np.exp if positive else (lambda v: v)
        out.append(Anomaly(i, float(x[i]), float(back(pred)),
                           float(back(pred - threshold * scale)),
                           float(back(pred + threshold * scale)), score,
                           "campaign" if in_campaign else "anomaly", kind))
    return out


def _shift_starts(flags, state) -> list[int]:
    """First indices of runs of SHIFT_RUN same-side flags on consecutive observed points."""
    starts, run = [], []
    observed_idx = np.flatnonzero(np.isfinite(state.z))
    position = {int(i): k for k, i in enumerate(observed_idx)}
    for i in sorted(flags):
        if state.campaign[i]:
            run = []
            continue
        if run and position[i] == position[run[-1]] + 1 and \
                np.sign(flags[i][0]) == np.sign(flags[run[-1]][0]):
            run.append(i)
        else:
            run = [i]
        if len(run) == SHIFT_RUN:
            starts.append(run[0])
    return starts
