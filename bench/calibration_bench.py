"""Are the outlook's probabilities calibrated? Rolling-origin backtests on public data.

    PYTHONPATH=. .venv/bin/python bench/calibration_bench.py --data /work/shared/data \
        [--half tune|report|all] [--draws 4000]

Reads only DIR/m4_weekly/train.csv and DIR/m3_monthly/train.csv. At several origins per
series, the history before the origin goes through the app's own pipeline (forecast →
leaf distribution over the KGI's steps → correlated Monte Carlo through the formula) and
the probability of reaching targets around the current level is compared with what the
train part shows next. Scenarios: a sum of the next 4, 8 or 13 weekly values, one week, a product of three
weekly series, one month, a product of three monthly series. Beside each: a naive
baseline (last value, random-walk Gaussian spread from one-step changes, leaves
independent). Series are split by their position in id order: even positions are the
half the engine was tuned on (`--half tune`), odd positions the half to report. Beside
P(> P50) and the P10–P90 coverage: their standard errors, bootstrapping whole series.
The last line is `calibration: brier=… baseline=… above_p50=… coverage80=…` (pooled).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.forecast import forecast_many  # noqa: E402
from engine.leaves import (  # noqa: E402
    FactorCorrelation,
    is_positive,
    leaf_correlation,
    leaf_distribution,
)
from engine.simulate import simulate  # noqa: E402

TARGET_MOVES = (-0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.2)
# Weekly origins are 13 weeks apart (the longest horizon: no two outcomes of a series
# overlap) and go back 24 of them, six years, where the train part has them: with 6, a half
# held ~450 cases of 90 series and P(> P50) had a standard error of 0.025, half the
# 0.45–0.55 band's width; with 24 it is ~0.017 (measured on the tune half). Monthly series
# are shorter (a median of 115 months): more origins would mostly mean histories under four
# years, another scenario, so monthly keeps 4.
WEEKLY = {"m": 52, "horizons": (4, 8, 13), "origins": 24, "every": 13, "min_history": 60,
          "histories": (104, 156, 208, 300), "level": 4}
MONTHLY = {"m": 12, "horizons": (3, 6, 12), "origins": 4, "every": 6, "min_history": 36,
           "histories": (48, 72, 120), "level": 3}


def read_train(path: Path) -> dict[str, np.ndarray]:
    rows = defaultdict(list)
    with path.open() as fh:
        for row in csv.DictReader(fh):
            rows[row["series_id"]].append((int(row["t"]), float(row["value"])))
    return {sid: np.array([v for _, v in sorted(points)]) for sid, points in rows.items()}


def _key(sid: str):
    digits = "".join(ch for ch in sid if ch.isdigit())
    return (int(digits) if digits else 0, sid)


def halves(series: dict[str, np.ndarray], half: str) -> list[str]:
    ids = sorted(series, key=_key)
    if half == "all":
        return ids
    return [sid for i, sid in enumerate(ids) if (i % 2 == 0) == (half == "tune")]


# --------------------------------------------------------------------------- one case


class Leaf:
    """One series at one origin: its history and what actually came next."""

    def __init__(self, history: np.ndarray, future: np.ndarray, cfg: dict):
        self.history, self.future, self.cfg = history, future, cfg

    def app(self, steps: list[int]):
        """The app's pipeline: forecast, then the leaf's distribution over `steps`."""
        h = max(steps) + 1
        # The outlook's call (metrics.analytics.fits): a leaf's forecast picks its method.
        campaign = np.zeros(self.history.size, dtype=bool)
        (fc,) = forecast_many([(self.history, h, self.cfg["m"], campaign, True)],
                              levels=(80, 95))
        positive = is_positive(self.history)
        floor = 0.05 * float(np.nanmin(self.history)) if positive else 0.0
        return leaf_distribution(fc.mean, fc.sigma, steps, aggregation="sum",
                                 positive=positive, floor=floor)

    def naive(self, steps: list[int]):
        """Last value, random-walk spread from the one-step changes, normal."""
        h = max(steps) + 1
        diffs = np.diff(self.history)
        rmse = float(np.sqrt(np.mean(diffs ** 2))) if diffs.size else 0.0
        return leaf_distribution(np.full(h, self.history[-1]), rmse * np.sqrt(np.arange(1, h + 1)),
                                 steps, aggregation="sum", positive=False)

    def level(self, steps: list[int]) -> float:
        return float(np.mean(self.history[-self.cfg["level"]:])) * len(steps)

    def outcome(self, steps: list[int]) -> float:
        return float(self.future[steps].sum())


def _product(values):
    out = values[sorted(values)[0]]
    for name in sorted(values)[1:]:
        out = out * values[name]
    return out


def case(leaves: dict[str, Leaf], steps: list[int], draws: int, seed: int) -> dict:
    """Probabilities (app and naive) for each target, P10/P50/P90 and the outcome."""
    if len(leaves) == 1:
        (name,) = leaves
        evaluate = lambda v: v[name]  # noqa: E731
    else:
        evaluate = _product
    app = {n: leaf.app(steps) for n, leaf in leaves.items()}
    naive = {n: leaf.naive(steps) for n, leaf in leaves.items()}
    correlation = None
    if len(leaves) > 1:
        # As the outlook does: each leaf's shocks on its whole history, lined up by period
        # (the origin is period 0 for every leaf), the matrix rounded as a snapshot stores it.
        found = leaf_correlation({
            n: (range(-leaf.history.size, 0), leaf.history, leaf.cfg["m"])
            for n, leaf in leaves.items()})
        if found is not None:
            correlation = (found if isinstance(found[1], FactorCorrelation)
                           else (found[0], found[1].round(4).tolist()))
    level = float(evaluate({n: np.array([leaf.level(steps)]) for n, leaf in leaves.items()})[0])
    actual = float(evaluate({n: np.array([leaf.outcome(steps)]) for n, leaf in leaves.items()})[0])
    out = {"actual": actual, "app": [], "naive": [], "hit": []}
    for k, move in enumerate(TARGET_MOVES):
        target = level * (1 + move) if level > 0 else level * (1 - move)
        a = simulate(app, evaluate, target, draws=draws, seed=seed, correlation=correlation)
        b = simulate(naive, evaluate, target, draws=draws, seed=seed, distribution="normal")
        out["app"].append(a.probability)
        out["naive"].append(b.probability)
        out["hit"].append(float(actual >= target))
        if k == 0:
            out["app_q"] = (a.p10, a.p50, a.p90)
            out["naive_q"] = (b.p10, b.p50, b.p90)
    return out


# --------------------------------------------------------------------------- scenarios


def origins(x: np.ndarray, cfg: dict, need: int):
    """(history, future) pairs at rolling origins inside the train part."""
    n = x.size
    for k in range(cfg["origins"]):
        o = n - need - k * cfg["every"]
        if o < cfg["min_history"]:
            return
        keep = cfg["histories"][k % len(cfg["histories"])]
        yield k, x[max(0, o - keep):o], x[o:o + need]


def scenario_cases(series, ids, cfg, kind, draws):
    """Every case of one scenario: kind is "sum", "one" or "product"."""
    out = []
    need = max(cfg["horizons"])
    groups = [[sid] for sid in ids] if kind != "product" else \
        [ids[i:i + 3] for i in range(0, len(ids) - 2)]
    for g, group in enumerate(groups):
        per = [list(origins(series[sid], cfg, need)) for sid in group]
        for items in zip(*per):
            k = items[0][0]
            h = cfg["horizons"][(g + k) % len(cfg["horizons"])]
            steps = list(range(h)) if kind == "sum" else [h - 1]
            leaves = {f"x{i}": Leaf(hist, fut, cfg) for i, (_, hist, fut) in enumerate(items)}
            found = case(leaves, steps, draws, seed=len(out))
            found["group"] = g  # a series (a product's first one): its origins move together
            out.append(found)
    return out


def scores(cases, which: str) -> dict:
    p = np.array([c[which] for c in cases]).ravel()
    y = np.array([c["hit"] for c in cases]).ravel()
    q = np.array([c[which + "_q"] for c in cases])
    actual = np.array([c["actual"] for c in cases])
    above = actual > q[:, 1]
    inside = (actual >= q[:, 0]) & (actual <= q[:, 2])
    return {"brier": float(np.mean((p - y) ** 2)),
            "above_p50": float(np.mean(above)), "coverage80": float(np.mean(inside)),
            "se": standard_errors([c.get("group", i) for i, c in enumerate(cases)],
                                  above, inside),
            "p": p, "y": y, "n": len(cases)}


def standard_errors(groups, *flags, resamples: int = 400) -> list[float]:
    """Bootstrap standard errors of the flags' means, resampling whole series: the
    origins of one series are not independent cases."""
    groups = np.asarray(groups)
    keys, index = np.unique(groups, return_inverse=True)
    sums = [np.bincount(index, weights=np.asarray(f, dtype=float), minlength=keys.size)
            for f in flags]
    counts = np.bincount(index, minlength=keys.size)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, keys.size, size=(resamples, keys.size))
    weight = np.stack([np.bincount(row, minlength=keys.size) for row in picks])
    n = weight @ counts
    return [float(np.std((weight @ total) / n)) for total in sums]


def reliability(p: np.ndarray, y: np.ndarray) -> list[str]:
    lines = ["    bin        n   mean p  observed"]
    edges = np.linspace(0, 1, 11)
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p >= lo) & ((p < hi) | (hi == 1.0))
        if inside.any():
            lines.append(f"    {lo:.1f}–{hi:.1f}  {inside.sum():5d}  {p[inside].mean():7.3f}"
                         f"  {y[inside].mean():8.3f}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--half", choices=("tune", "report", "all"), default="all")
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--limit", type=int, default=0, help="series per set (0 = all)")
    args = parser.parse_args(argv)
    sets = {"weekly": (args.data / "m4_weekly" / "train.csv", WEEKLY),
            "monthly": (args.data / "m3_monthly" / "train.csv", MONTHLY)}
    scenarios = [("weekly sum (4-13 wk)", "weekly", "sum"), ("one week", "weekly", "one"),
                 ("product of 3 weekly", "weekly", "product"),
                 ("one month", "monthly", "one"),
                 ("product of 3 monthly", "monthly", "product")]
    loaded = {}
    for name, (path, _cfg) in sets.items():
        series = read_train(path)
        ids = halves(series, args.half)
        loaded[name] = (series, ids[:args.limit] if args.limit else ids)
    pooled = {"app": [], "naive": []}
    print(f"half={args.half} draws={args.draws} targets=level×(1{TARGET_MOVES[0]:+}…"
          f"{TARGET_MOVES[-1]:+})")
    print(f"{'scenario':24s} {'cases':>5s} {'brier':>7s} {'naive':>7s} {'>P50':>6s} {'±se':>5s} "
          f"{'naive':>6s} {'cov80':>6s} {'±se':>5s} {'naive':>6s}")
    tables = []
    for title, set_name, kind in scenarios:
        series, ids = loaded[set_name]
        cases = scenario_cases(series, ids, sets[set_name][1], kind, args.draws)
        if not cases:
            continue
        a, b = scores(cases, "app"), scores(cases, "naive")
        pooled["app"] += cases
        print(f"{title:24s} {a['n']:5d} {a['brier']:7.4f} {b['brier']:7.4f} "
              f"{a['above_p50']:6.3f} {a['se'][0]:5.3f} {b['above_p50']:6.3f} "
              f"{a['coverage80']:6.3f} {a['se'][1]:5.3f} {b['coverage80']:6.3f}", flush=True)
        tables.append((title, reliability(a["p"], a["y"])))
    for title, lines in tables:
        print(f"reliability, {title}:")
        print("\n".join(lines))
    a, b = scores(pooled["app"], "app"), scores(pooled["app"], "naive")
    print(f"calibration: brier={a['brier']:.4f} baseline={b['brier']:.4f} "
          f"above_p50={a['above_p50']:.3f} coverage80={a['coverage80']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
