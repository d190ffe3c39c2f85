"""One leaf changed in a KPI tree: the chains it feeds, not its ancestors' whole formulas."""

import numpy as np
import pytest

from engine.formula import parse_formula
from engine.simulate import probability_sensitivity
from engine.tree import TreeEvaluator
from engine.tree_delta import WIDE, DeltaTreeEvaluator

from .test_simulate import _fixed_tree


def _wide_tree(teams):
    """reforecast_bench.py's shape: root = Σ five groups, group = Σ teams / 5 of a × b."""
    per = teams // 5
    texts = {f"g{g}": " + ".join(f"t{t:03d}_a * t{t:03d}_b" for t in range(g * per, (g + 1) * per))
             for g in range(5)}
    texts["root"] = " + ".join(f"g{g}" for g in range(5))
    leaves = {f"t{t:03d}_{s}": (100.0, 5.0) if s == "a" else (2.0, 0.1)
              for t in range(teams) for s in "ab"}
    return {code: parse_formula(text) for code, text in texts.items()}, leaves


def _draws(leaves, n=2_000, seed=0):
    rng = np.random.default_rng(seed)
    return {code: rng.normal(point, sigma, n) for code, (point, sigma) in leaves.items()}


def _both(root, formulas, values):
    whole, delta = TreeEvaluator(root, formulas), DeltaTreeEvaluator(root, formulas)
    return whole, whole.evaluate(values), delta, delta.cache(values)


@pytest.mark.parametrize("tree", [_fixed_tree, lambda: _wide_tree(90)])
def test_the_cached_state_holds_every_kpi_exactly_as_a_full_evaluation(tree):
    formulas, leaves = tree()
    root = "kgi" if "kgi" in formulas else "root"
    _whole, full, _delta, state = _both(root, formulas, _draws(leaves))
    assert set(state.values) == set(full)
    for code, value in full.items():
        assert np.array_equal(state.values[code], value), code


def test_narrow_formulas_give_bit_identical_values_for_every_leaf():
    formulas, leaves = _fixed_tree()  # the widest chain has 4 operands
    values = _draws(leaves)
    whole, full, delta, state = _both("kgi", formulas, values)
    for leaf, draws in values.items():
        moved = draws * 1.01
        assert np.array_equal(delta.changed(state, leaf, moved),
                              whole.changed(full, leaf, moved)), leaf


def test_a_wide_sum_takes_the_difference_and_agrees_to_rounding():
    formulas, leaves = _wide_tree(90)  # groups of 18 products
    values = _draws(leaves)
    whole, full, delta, state = _both("root", formulas, values)
    for leaf in ("t000_a", "t045_b", "t089_b"):
        expected = whole.changed(full, leaf, values[leaf] * 0.99)
        got = delta.changed(state, leaf, values[leaf] * 0.99)
        assert np.allclose(got, expected, rtol=1e-14, atol=0), leaf
        assert not np.array_equal(got - full["root"], np.zeros_like(got))


def test_a_wide_sum_never_reads_the_terms_the_leaf_does_not_feed():
    # The cost of a leaf is its own term: poison every other cached product and the
    # answer is still the full evaluation's.
    formulas, leaves = _wide_tree(90)
    values = _draws(leaves)
    whole, full, delta, state = _both("root", formulas, values)
    group = delta.plans["g0"]
    assert len(group.operands) >= WIDE
    mine = group.readers["t003_a"]
    for i, term in enumerate(group.operands):
        if i not in mine:
            state.chains[id(term)] = np.full(2_000, np.nan)
    expected = whole.changed(full, "t003_a", values["t003_a"] * 1.01)
    assert np.allclose(delta.changed(state, "t003_a", values["t003_a"] * 1.01), expected,
                       rtol=1e-14, atol=0)


def test_wide_products_and_differences_with_signs_agree_with_the_full_evaluation():
    names = [f"x{i}" for i in range(12)]
    text = " * ".join(names[:5]) + " / x5 / x6 * x7 * x8 - x9 + x10 - x9 * x11 + 1 - 2 + x0"
    formulas = {"r": parse_formula(text)}
    values = _draws({n: (3.0 + i, 0.5) for i, n in enumerate(names)})
    whole, full, delta, state = _both("r", formulas, values)
    for leaf in names:
        for factor in (1.01, 0.99):
            expected = whole.changed(full, leaf, values[leaf] * factor)
            assert np.allclose(delta.changed(state, leaf, values[leaf] * factor), expected,
                               rtol=1e-13, atol=1e-12), leaf


def test_zeros_and_infinities_fall_back_to_the_full_evaluation():
    names = [f"x{i}" for i in range(10)]
    formulas = {"p": parse_formula(" * ".join(names)),
                "s": parse_formula(" + ".join(names[:9]) + " + 1 / x9")}
    values = _draws({n: (1.0, 0.1) for n in names}, n=50)
    values["x0"][:5] = 0.0  # a factor at zero: its ratio is undefined
    values["x9"][5:10] = 0.0  # 1 / 0 = inf in the sum
    for root in ("p", "s"):
        whole, full, delta, state = _both(root, formulas, values)
        for leaf, moved in (("x0", values["x0"] * 1.01), ("x9", values["x9"] * 1.01),
                            ("x0", np.where(values["x0"] == 0, 1.0, values["x0"])),
                            ("x9", np.where(values["x9"] == 0, 1.0, values["x9"]))):
            expected = whole.changed(full, leaf, moved)
            got = delta.changed(state, leaf, moved)
            assert np.allclose(got, expected, rtol=1e-13, equal_nan=True), (root, leaf)
            assert np.array_equal(np.isfinite(got), np.isfinite(expected)), (root, leaf)


def test_a_leaf_feeding_a_wide_root_twice_moves_both_terms():
    formulas = {"root": parse_formula(" + ".join(f"a{i}" for i in range(8)) + " + g"),
                "g": parse_formula("a0 * 2")}
    values = _draws({f"a{i}": (5.0, 1.0) for i in range(8)})
    whole, full, delta, state = _both("root", formulas, values)
    expected = whole.changed(full, "a0", values["a0"] + 1)
    assert np.allclose(delta.changed(state, "a0", values["a0"] + 1), expected, rtol=1e-14)


class _Delta:
    def __init__(self, root, formulas):
        self.tree = DeltaTreeEvaluator(root, formulas)

    def __call__(self, values):
        return self.tree.evaluate(values)[self.tree.root]

    def cache(self, values):
        return self.tree.cache(values)

    def changed(self, state, leaf, value):
        return self.tree.changed(state, leaf, value)


@pytest.mark.parametrize("teams", [30, 90])
def test_the_ranking_is_the_whole_trees_on_wide_and_narrow_trees(teams):
    formulas, leaves = _wide_tree(teams)
    target = 200.0 * teams * 1.001

    def whole(values):
        return TreeEvaluator("root", formulas).evaluate(values)["root"]

    expected = probability_sensitivity(leaves, whole, target, draws=4_000)
    got = probability_sensitivity(leaves, _Delta("root", formulas), target, draws=4_000)
    assert [s.leaf for s in got] == [s.leaf for s in expected]
    assert [s.delta_pp for s in got] == [s.delta_pp for s in expected]
    assert np.allclose([s.delta_p50_pct for s in got], [s.delta_p50_pct for s in expected],
                       rtol=1e-9, atol=1e-12)
