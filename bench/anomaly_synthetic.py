"""Synthetic weekly KPIs for the anomaly bench: trend × seasonality × noise, with
campaigns, spikes, dips and level shifts whose positions are known.

Used by ``anomaly_bench.py --synthetic``. Every series comes from its own seed, so a
seed list can be split into a half to tune on and a half to report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Synthetic:
    values: np.ndarray
    campaign: np.ndarray
    events: list[tuple[int, str]]  # (index, "spike" | "dip" | "shift")


def weekly_kpi(seed: int, n: int) -> Synthetic:
    """One weekly KPI of n weeks (no event in its last 8 weeks, no campaign in the last 5)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = float(np.exp(rng.uniform(np.log(30), np.log(200_000))))
    growth = rng.uniform(-0.3, 0.6) / 52  # −30 % … +60 % a year
    trend = np.exp(growth * t)
    amplitude = 0.0 if rng.random() < 0.3 else rng.uniform(0.05, 0.35)
    phase = rng.uniform(0, 2 * np.pi)
    season = 1 + amplitude * (np.sin(2 * np.pi * t / 52 + phase)
                              + 0.4 * np.sin(4 * np.pi * t / 52 + 2 * phase)) / 1.4
    # Weekly aggregates of many users: 2–7 % noise. (At 10 % a +40 % spike is only ~3.4
    # noise sigmas, which no detector finds 8 times in 10 at 0.2 false flags a year.)
    noise = np.exp(rng.normal(0, rng.uniform(0.02, 0.07), n))
    effect = np.ones(n)
    campaign = np.zeros(n, dtype=bool)
    if rng.random() < 0.4:  # a yearly sale week (year-end, Golden Week), entered as a campaign
        week = rng.integers(0, 52)
        yearly = (t % 52 == week) & (t < n - 5)
        effect = np.where(yearly, 1 + rng.uniform(0.2, 0.6), effect)
        campaign |= yearly
    for _ in range(rng.poisson(1.5 * n / 52)):
        start = int(rng.integers(0, max(n - 6, 1)))
        length = int(rng.integers(1, 5))
        campaign[start:start + length] = True
        effect[start:start + length] *= 1 + rng.uniform(0.2, 0.8)
    events: list[tuple[int, str]] = []
    for _ in range(rng.poisson(0.6 * n / 52)):
        i = int(rng.integers(10, max(n - 8, 11)))
        if campaign[max(i - 1, 0):i + 2].any():
            continue
        up = rng.random() < 0.5
        effect[i] *= (1 + rng.uniform(0.4, 0.8)) if up else (1 - rng.uniform(0.4, 0.7))
        events.append((i, "spike" if up else "dip"))
    if rng.random() < 0.3 and n > 40:
        i = int(rng.integers(20, n - 8))
        effect[i:] *= 1 + rng.choice([-1, 1]) * rng.uniform(0.25, 0.5)
        events.append((i, "shift"))
    values = level * trend * season * noise * effect
    if level < 2000:
        values = np.maximum(np.round(values), 1.0)  # counts
    return Synthetic(values, campaign, sorted(events))


LENGTHS = (60, 104, 156, 208)
MAGNITUDE = 0.4


def _flags(values, campaign, threshold):
    from engine.anomalies import CADENCE_SETTINGS, detect

    options = {} if threshold is None else {"threshold": threshold}
    return detect(values, campaign_mask=campaign, **CADENCE_SETTINGS["weekly"], **options)


def _is_false(flag, events) -> bool:
    for i, kind in events:
        reach = 6 if kind == "shift" else 2
        if i - 1 <= flag.index <= i + reach:
            return False
    return True


def run_synthetic(half: str, count: int, threshold: float | None) -> int:
    """Print recall and false flags per history length; returns 0."""
    first = 0 if half == "tune" else 1
    print(f"synthetic weekly KPIs, {half} seeds ({'even' if first == 0 else 'odd'}), "
          f"{count} per length, ±{MAGNITUDE:.0%} events")
    print(f"{'weeks':>5} {'newest':>7} {'(up)':>6} {'(down)':>7} {'+3 wk':>6} "
          f"{'shifts':>7} {'false/yr':>9} {'in/next campaign':>17} {'max |score|':>12}")
    pooled = {"newest": [], "later": [], "false": 0.0, "years": 0.0}
    for n in LENGTHS:
        newest, up, down, later, shifts_found, shifts = [], [], [], [], 0, 0
        false, years, near_campaign, top = 0, 0.0, 0, 0.0
        for k in range(count):
            seed = 1000 * n + 2 * k + first
            base = weekly_kpi(seed, n)
            found = _flags(base.values, base.campaign, threshold)
            top = max([top] + [abs(a.score) for a in found])
            for a in found:
                if a.label != "anomaly":
                    continue
                if _is_false(a, base.events):
                    false += 1
                    lo, hi = max(a.index - 1, 0), a.index + 2
                    near_campaign += bool(base.campaign[lo:hi].any())
            years += (n - 8) / 52
            for i, kind in base.events:
                if kind == "shift" and i < n - 4:
                    shifts += 1
                    shifts_found += any(a.kind == "level_shift" and abs(a.index - i) <= 1
                                        for a in found)
            sign = 1 if k % 2 == 0 else -1
            for where, bucket in ((n - 1, newest), (n - 4, later)):
                values = base.values.copy()
                values[where] *= 1 + sign * MAGNITUDE
                hits = _flags(values, base.campaign, threshold)
                hit = any(a.index == where and a.label == "anomaly" for a in hits)
                bucket.append(hit)
                if where == n - 1:
                    (up if sign > 0 else down).append(hit)
        pooled["newest"] += newest
        pooled["later"] += later
        pooled["false"] += false
        pooled["years"] += years
        print(f"{n:5d} {np.mean(newest):7.3f} {np.mean(up):6.3f} {np.mean(down):7.3f} "
              f"{np.mean(later):6.3f} {shifts_found:>3d}/{shifts:<3d} {false / years:9.3f} "
              f"{near_campaign:17d} {top:12.1f}")
    print(f"synthetic: newest_recall={np.mean(pooled['newest']):.3f} "
          f"recall_3wk={np.mean(pooled['later']):.3f} "
          f"false_per_series_year={pooled['false'] / pooled['years']:.3f}")
    return 0
