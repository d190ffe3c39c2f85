"""Run the anomaly engine over every DIR/*.csv (timestamp,value) and score it.

Usage:
    PYTHONPATH=. python bench/anomaly_bench.py --data DIR --out flags.json
    PYTHONPATH=. python bench/anomaly_bench.py --synthetic [--half tune|report] [--count N]
Writes {file: [flagged timestamps]} as JSON. Each file is treated as the app treats a KPI
of the cadence its timestamps imply (minutes/hours: a daily season, one day between
events; daily, weekly, monthly: the app's settings). When DIR/windows.json exists, prints
window-based precision/recall/F1 (see the data README) for the engine and for a
rolling z-score baseline (trailing 7-day window, |z| > 4) computed in the same run.

--synthetic runs the generator in anomaly_synthetic.py instead: newest-point recall of
±40 % spikes and dips per history length, recall of the same events three weeks later,
level-shift recall, and false flags per series-year on the same series without the
injected event. Seeds are split: even seeds to tune on, odd seeds to report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from engine.anomalies import CADENCE_SETTINGS, detect

DAY = pd.Timedelta(days=1)


def load(path: Path) -> tuple[pd.Series, pd.Timedelta]:
    frame = pd.read_csv(path, parse_dates=["timestamp"])
    series = frame.set_index("timestamp")["value"].astype(float)
    return series, series.index.to_series().diff().median()


def app_settings(step: pd.Timedelta) -> dict:
    """Season length and refractory the app would use for data at this step."""
    if step < DAY * 0.9:
        per_day = max(int(round(DAY / step)), 1)
        return {"season_length": per_day, "refractory": per_day}
    if step < DAY * 3:
        return CADENCE_SETTINGS["daily"]
    if step < DAY * 20:
        return CADENCE_SETTINGS["weekly"]
    return CADENCE_SETTINGS["monthly"]


def engine_flags(series: pd.Series, step: pd.Timedelta, threshold: float | None) -> np.ndarray:
    """Boolean flags from the engine with the app's settings for this cadence."""
    options = {} if threshold is None else {"threshold": threshold}
    found = detect(series.to_numpy(), **app_settings(step), **options)
    flags = np.zeros(series.size, dtype=bool)
    flags[[a.index for a in found if a.label == "anomaly"]] = True
    return flags


def zscore_flags(series: pd.Series, step: pd.Timedelta) -> np.ndarray:
    """The BASELINES.md detector: trailing 7-day mean/std, |z| > 4."""
    window = int(round(7 * DAY / step))
    past = series.shift(1)
    mean = past.rolling(window, min_periods=1).mean()
    std = past.rolling(window, min_periods=2).std()
    z = (series - mean) / std
    warmup = min(window, int(0.15 * series.size))
    flags = (z.abs() > 4).to_numpy(copy=True)
    flags[:warmup] = False
    return flags


def score(series: pd.Series, flags: np.ndarray, windows) -> tuple[int, int, int, int]:
    """(TP, FN, FP points, FP events) for one file."""
    inside = np.zeros(series.size, dtype=bool)
    tp = 0
    for start, end in windows:
        in_window = (series.index >= pd.Timestamp(start)) & (series.index <= pd.Timestamp(end))
        inside |= in_window
        tp += bool((flags & in_window).any())
    outside = flags & ~inside
    fp_events = int(np.sum(outside & ~np.r_[False, outside[:-1]]))
    return tp, len(windows) - tp, int(outside.sum()), fp_events


def report(name: str, totals: np.ndarray) -> None:
    tp, fn, fp, fp_events = (int(v) for v in totals)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pe = tp / (tp + fp_events) if tp + fp_events else 0.0
    f1e = 2 * pe * recall / (pe + recall) if pe + recall else 0.0
    print(f"{name:<16}{tp:>4}{fn:>4}{fp:>7}{fp_events:>7}{precision:>8.3f}{recall:>8.3f}"
          f"{f1:>8.3f}{f1e:>10.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--half", choices=("tune", "report"), default="report")
    parser.add_argument("--count", type=int, default=100, help="seeds per history length")
    parser.add_argument("--threshold", type=float, default=None,
                        help="robust z threshold (default: the engine's own default)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.synthetic:
        from anomaly_synthetic import run_synthetic

        return run_synthetic(args.half, args.count, args.threshold)
    if args.data is None or args.out is None:
        parser.error("--data and --out are required (or use --synthetic)")

    windows_path = args.data / "windows.json"
    windows = json.loads(windows_path.read_text()) if windows_path.exists() else None
    flagged: dict[str, list[str]] = {}
    totals = {"engine": np.zeros(4), "zscore(7d,4)": np.zeros(4)}
    seconds = 0.0
    for path in sorted(args.data.glob("*.csv")):
        series, step = load(path)
        start = time.perf_counter()
        flags = engine_flags(series, step, args.threshold)
        seconds += time.perf_counter() - start
        flagged[path.name] = [str(ts) for ts in series.index[flags]]
        if windows is None:
            continue
        file_windows = windows.get(path.name, [])
        for name, f in (("engine", flags), ("zscore(7d,4)", zscore_flags(series, step))):
            counts = score(series, f, file_windows)
            totals[name] += counts
            if args.verbose:
                print(f"  {name:<14}{path.name:<48}TP {counts[0]} FN {counts[1]} "
                      f"FP {counts[2]} ({counts[3]} events)")
    args.out.write_text(json.dumps(flagged, indent=1))
    print(f"engine: {len(flagged)} files in {seconds:.2f} s -> {args.out}")
    if windows is not None:
        print(f"\n{'detector':<16}{'TP':>4}{'FN':>4}{'FP pt':>7}{'FP ev':>7}{'prec':>8}"
              f"{'recall':>8}{'F1':>8}{'F1(ev)':>10}")
        for name, t in totals.items():
            report(name, t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
