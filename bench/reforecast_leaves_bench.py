"""The reforecast's two leaf steps alone at 60/180/600 leaves: before and after (issue 23).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/reforecast_leaves_bench.py [--loop600]

Pairwise shock correlation: the per-pair loop (the tests' reference) vs the vectorised
one; sensitivity ranking: one whole-tree evaluation per leaf vs only the leaf's ancestors
(the rankings must be identical). CPU seconds; the tree has the shape of
reforecast_bench.py's (five group sums of teams / 5 products). No database.
"""
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]
from test_leaves import _pairwise_loop  # noqa: E402
from test_simulate import _Incremental  # noqa: E402

from engine.formula import parse_formula  # noqa: E402
from engine.leaves import _pairwise_rank_correlation  # noqa: E402
from engine.simulate import probability_sensitivity  # noqa: E402
from engine.tree import evaluate_tree  # noqa: E402


def cpu(f, *args):
    started = time.process_time()
    out = f(*args)
    return time.process_time() - started, out


def bench_tree(teams: int):
    """reforecast_bench.py's tree: root = Σ five groups, group = Σ teams / 5 of a × b."""
    per = max(1, teams // 5)
    formulas = {f"g{g}": parse_formula(" + ".join(
        f"t{t:03d}_a * t{t:03d}_b" for t in range(g * per, (g + 1) * per))) for g in range(5)}
    formulas["root"] = parse_formula(" + ".join(f"g{g}" for g in range(5)))
    leaves = {f"t{t:03d}_{s}": (100.0, 5.0) if s == "a" else (2.0, 0.1)
              for t in range(teams) for s in "ab"}
    return formulas, leaves


def main():
    rng = np.random.default_rng(0)
    for teams in (30, 90, 300):
        k = 2 * teams
        x = rng.standard_normal((k, 155)) + 0.3 * rng.standard_normal(155)
        vec, fast = cpu(_pairwise_rank_correlation, x)
        if teams < 300 or "--loop600" in sys.argv:
            loop, slow = cpu(_pairwise_loop, list(x))
        else:
            loop, slow = float("nan"), fast
        formulas, leaves = bench_tree(teams)
        target = 200.0 * teams * 1.001
        inc, r1 = cpu(probability_sensitivity, leaves, _Incremental("root", formulas), target)
        whole, r2 = cpu(probability_sensitivity, leaves,
                        lambda v, f=formulas: evaluate_tree("root", f, v)["root"], target)
        assert r1 == r2
        print(f"{k:4d} leaves: correlation vectorised {vec:.3f} s, loop {loop:.2f} s "
              f"(max diff {np.abs(fast - slow).max():.1e}); sensitivity only the ancestors "
              f"{inc:.2f} s, whole tree {whole:.2f} s (identical rankings)")


if __name__ == "__main__":
    main()
