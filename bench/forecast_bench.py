"""Forecast every series of a benchmark set with the engine; score it against baselines.

Usage (statsforecast baselines only run where it is installed, e.g. /work/benchvenv):
    PYTHONPATH=. python bench/forecast_bench.py --data DIR --horizon 13 --season 52 --out fc.csv
Reads DIR/train.csv (series_id,t,value); writes OUT as series_id,step,value. When
DIR/test.csv exists, prints sMAPE and MASE (M4 definitions) and wall times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from engine.forecast import forecast, forecast_many


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    denom = np.abs(actual) + np.abs(pred)
    terms = np.divide(200 * np.abs(actual - pred), denom, out=np.zeros_like(denom),
                      where=denom > 0)
    return float(np.mean(terms))


def mase(train: np.ndarray, actual: np.ndarray, pred: np.ndarray, m: int) -> float:
    m = m if train.size > m else 1
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(actual - pred)) / scale) if scale > 0 else float("nan")


def load_series(path: Path, limit: int | None) -> dict[str, np.ndarray]:
    frame = pd.read_csv(path).sort_values(["series_id", "t"])
    ids = list(dict.fromkeys(frame["series_id"]))[:limit] if limit else None
    if ids is not None:
        frame = frame[frame["series_id"].isin(ids)]
    return {sid: g["value"].to_numpy(float) for sid, g in frame.groupby("series_id", sort=False)}


def run_engine(train: dict[str, np.ndarray], h: int, m: int, batch: bool = False):
    start = time.perf_counter()
    if batch:  # all series in one call: the grid fits vectorised across series
        out = dict(zip(train, forecast_many([(y, h, m, None) for y in train.values()])))
    else:
        out = {sid: forecast(y, h, m) for sid, y in train.items()}
    return out, time.perf_counter() - start


def run_statsforecast(train: dict[str, np.ndarray], h: int, m: int):
    """Return {model: ({sid: forecast}, seconds)} or {} without statsforecast."""
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive
    except ImportError:
        return {}
    rows = [pd.DataFrame({"unique_id": sid, "ds": np.arange(1, y.size + 1), "y": y})
            for sid, y in train.items()]
    frame = pd.concat(rows, ignore_index=True)
    results = {}
    for model in (AutoETS(season_length=m), AutoTheta(season_length=m),
                  SeasonalNaive(season_length=m)):
        sf = StatsForecast(models=[model], freq=1, n_jobs=1)
        # Warm up numba on two series so JIT compilation is not timed.
        warm = frame[frame["unique_id"].isin(list(train)[:2])]
        sf.forecast(df=warm, h=h)
        start = time.perf_counter()
        pred = sf.forecast(df=frame, h=h)
        seconds = time.perf_counter() - start
        col = [c for c in pred.columns if c not in ("unique_id", "ds")][0]
        by_id = {sid: g[col].to_numpy(float) for sid, g in pred.groupby("unique_id")}
        results[str(model)] = (by_id, seconds)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--horizon", required=True, type=int)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--season", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--batch", action="store_true",
                        help="forecast all series in one forecast_many call (same forecasts)")
    args = parser.parse_args(argv)
    h, m = args.horizon, args.season

    train = load_series(args.data / "train.csv", args.limit)
    engine, seconds = run_engine(train, h, m, args.batch)
    rows = [pd.DataFrame({"series_id": sid, "step": np.arange(1, h + 1), "value": fc.mean})
            for sid, fc in engine.items()]
    pd.concat(rows, ignore_index=True).to_csv(args.out, index=False)
    print(f"engine: {len(train)} series forecast in {seconds:.2f} s -> {args.out}")

    test_path = args.data / "test.csv"
    if not test_path.exists():
        return 0
    test = load_series(test_path, None)
    methods = {"engine": ({sid: fc.mean for sid, fc in engine.items()}, seconds)}
    methods.update(run_statsforecast(train, h, m))
    print(f"\n{'model':<22}{'sMAPE':>9}{'MASE':>9}{'seconds':>10}")
    for name, (preds, secs) in methods.items():
        s = [smape(test[sid][:h], preds[sid]) for sid in train]
        q = [mase(train[sid], test[sid][:h], preds[sid], m) for sid in train]
        print(f"{name:<22}{np.mean(s):>9.3f}{np.nanmean(q):>9.3f}{secs:>10.2f}")
    chosen = pd.Series([fc.method for fc in engine.values()]).value_counts()
    print("\nengine methods chosen: " + ", ".join(f"{k} {v}" for k, v in chosen.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
