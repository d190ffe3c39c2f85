"""The reforecast's leaf steps alone at 60/180/600 leaves: before and after (issue 23).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/reforecast_leaves_bench.py [--loop600]

Pairwise shock correlation: the per-pair loop (the tests' reference) vs the vectorised
one; sensitivity ranking: one whole-tree evaluation per leaf vs only the leaf's ancestors
(bit-identical rankings) vs only the chains the leaf feeds (``engine.tree_delta``: the
same order and Δpp); then both leaf steps as the reforecast runs them (correlation, then
the draws correlated by it and the ranking by chains). CPU seconds, the least of 3 runs (whole tree: 1); the tree has the
shape of reforecast_bench.py's (five group sums of teams / 5 products). No database.
The last lines print each method's cost ratio for 3× and 10× the leaves.
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
from engine.leaves import _pairwise_rank_correlation, shock_correlation  # noqa: E402
from engine.simulate import probability_sensitivity  # noqa: E402
from engine.tree import evaluate_tree  # noqa: E402
from engine.tree_delta import DeltaTreeEvaluator  # noqa: E402


class _Chains(_Incremental):
    """The outlook's evaluator: `changed` by the chains a leaf feeds."""

    def __init__(self, root, formulas):
        self.tree = DeltaTreeEvaluator(root, formulas)

    def cache(self, values):
        return self.tree.cache(values)


def cpu(f, *args, repeat=1):
    """(least CPU seconds over `repeat` runs, the result): the least is the one the
    machine's other jobs disturbed least."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        out = f(*args)
        best = min(best, time.process_time() - started)
    return best, out


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
    figures = {}
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
        chains, r0 = cpu(probability_sensitivity, leaves, _Chains("root", formulas), target,
                         repeat=3)
        inc, r1 = cpu(probability_sensitivity, leaves, _Incremental("root", formulas), target,
                      repeat=3)
        whole, r2 = cpu(probability_sensitivity, leaves,
                        lambda v, f=formulas: evaluate_tree("root", f, v)["root"], target)
        assert r1 == r2
        assert [(s.leaf, s.delta_pp) for s in r0] == [(s.leaf, s.delta_pp) for s in r1]
        names = sorted(leaves)

        def both_steps(names=names, x=x, formulas=formulas, leaves=leaves, target=target):
            found = shock_correlation({n: x[i] for i, n in enumerate(names)})
            correlation = (found[0], found[1].round(4).tolist())
            return probability_sensitivity(leaves, _Chains("root", formulas), target,
                                           correlation=correlation)

        steps, _ranking = cpu(both_steps, repeat=3)
        figures[k] = (chains, inc, whole, steps)
        print(f"{k:4d} leaves: correlation vectorised {vec:.3f} s, loop {loop:.2f} s "
              f"(max diff {np.abs(fast - slow).max():.1e}); sensitivity only the chains "
              f"{chains:.2f} s, only the ancestors {inc:.2f} s, whole tree {whole:.2f} s "
              f"(same rankings); correlation + correlated draws + ranking {steps:.2f} s")
    base = figures[60]
    for k in (180, 600):
        ratios = ", ".join(f"{label} ×{figures[k][i] / base[i]:.1f}" for i, label in enumerate(
            ("chains", "ancestors", "whole tree", "both steps")))
        print(f"×{k // 60} leaves: {ratios}")


if __name__ == "__main__":
    main()
