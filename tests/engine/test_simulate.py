"""Monte Carlo of the KGI: probabilities, what-ifs and the sensitivity ranking."""


import numpy as np
from scipy.stats import norm

from engine.forecast import forecast
from engine.simulate import probability_sensitivity, simulate

REVENUE = {"uu": (120_000, 6_000), "cvr": (0.02, 0.001), "aov": (3_450, 100)}


def revenue(v):
    return v["uu"] * v["cvr"] * v["aov"]


def test_same_seed_gives_the_same_result_and_another_seed_a_close_one():
    a = simulate(REVENUE, revenue, 8.3e6, seed=5)
    assert a == simulate(REVENUE, revenue, 8.3e6, seed=5)
    b = simulate(REVENUE, revenue, 8.3e6, seed=6)
    assert a != b and abs(a.probability - b.probability) < 0.03


def test_probability_matches_the_normal_tail_for_one_leaf():
    result = simulate({"x": (100.0, 10.0)}, lambda v: v["x"], 110.0, distribution="normal",
                      draws=40_000)
    assert abs(result.probability - (1 - norm.cdf(1.0))) < 0.01
    assert abs(result.p50 - 100) < 0.3 and abs(result.p10 - (100 - 12.8155)) < 0.5


def test_direction_minus_one_counts_outcomes_at_or_below_the_target():
    up = simulate(REVENUE, revenue, 8.3e6)
    down = simulate(REVENUE, revenue, 8.3e6, direction=-1)
    assert abs(up.probability + down.probability - 1) < 1e-9
    assert down.direction == -1


def test_percentiles_are_ordered_around_the_product_of_means():
    result = simulate(REVENUE, revenue, 8.3e6)
    assert result.p10 < result.p50 < result.p90
    assert abs(result.p50 / (120_000 * 0.02 * 3_450) - 1) < 0.01
    assert result.draws == 10_000


def test_a_what_if_shift_scales_the_median_exactly_with_common_draws():
    base = simulate(REVENUE, revenue, 8.3e6)
    shifted = simulate(REVENUE, revenue, 8.3e6, shifts={"cvr": 1.05})
    assert abs(shifted.p50 / base.p50 - 1.05) < 1e-9
    assert shifted.probability > base.probability


def test_undefined_outcomes_are_left_out_of_the_draws():
    result = simulate({"a": (1.0, 0.0), "b": (0.0, 0.0)}, lambda v: v["a"] / v["b"], 1.0)
    assert result.draws == 0 and np.isnan(result.probability)


def test_sample_arrays_and_forecast_objects_are_accepted_as_leaves():
    rng = np.random.default_rng(0)
    fc = forecast(100 + rng.normal(0, 1, 60), 6, 1)
    leaves = {"visits": rng.normal(1000, 50, 5000), "rate": fc}
    result = simulate(leaves, lambda v: v["visits"] * v["rate"] / 100, 1000.0)
    assert 0.3 < result.probability < 0.7
    assert abs(result.p50 - 1000 * fc.mean[-1] / 100) < 10


def test_sensitivity_ranks_the_leaf_that_moves_the_kgi_most_first():
    leaves = {"big": (900.0, 30.0), "small": (100.0, 5.0), "unused": (1.0, 0.1)}
    ranking = probability_sensitivity(leaves, lambda v: v["big"] + v["small"], 1000.0)
    assert [s.leaf for s in ranking] == ["big", "small", "unused"]
    assert ranking[0].delta_pp > ranking[1].delta_pp > 0
    # Common random numbers: a leaf outside the formula changes nothing at all.
    assert ranking[2].delta_pp == 0.0


def test_sensitivity_improves_lower_is_better_leaves_by_decreasing_them():
    leaves = {"arpa": (10_000.0, 800.0), "churn": (0.03, 0.004)}
    ranking = probability_sensitivity(leaves, lambda v: v["arpa"] / v["churn"], 333_000.0,
                                      leaf_directions={"churn": -1})
    by_leaf = {s.leaf: s for s in ranking}
    assert by_leaf["churn"].direction == -1
    assert by_leaf["churn"].delta_pp > 0 and by_leaf["arpa"].delta_pp > 0
    assert by_leaf["churn"].delta_p50_pct > 0


def test_ten_leaves_and_ten_thousand_draws_run_well_under_300_ms():
    leaves = {f"k{i}": (1.0 + i / 10, 0.05) for i in range(10)}

    def product(v):
        return np.prod(np.stack(list(v.values())), axis=0)

    result = simulate(leaves, product, 20.0)
    # Speed is measured in bench/engine_bench.py; here: all 10,000 draws are used.
    assert result.draws == 10_000


# The order the whole-tree method (one full evaluation per leaf) gave on _fixed_tree before
# the incremental path existed: computed then, pinned here.
PINNED_ORDER = ["churn", "e", "f", "h", "a", "g", "c", "d", "b", "k", "m", "unused"]


class _Incremental:
    """An evaluator offering `cache` / `changed`, as the outlook's kgi_evaluator does."""

    def __init__(self, root, formulas):
        from engine.tree import TreeEvaluator
        self.tree = TreeEvaluator(root, formulas)

    def __call__(self, values):
        return self.tree.evaluate(values)[self.tree.root]

    def cache(self, values):
        return self.tree.evaluate(values)

    def changed(self, cached, leaf, value):
        return self.tree.changed(cached, leaf, value)


def _fixed_tree():
    from engine.formula import parse_formula
    texts = {
        "kgi": "g0 + g1 + g2 - cost",
        "g0": "a * b + c * d",
        "g1": "e * f / churn",
        "g2": "(a + g) * h",
        "cost": "k * 3 + m",
    }
    leaves = {"a": (120.0, 15.0), "b": (0.3, 0.04), "c": (80.0, 12.0), "d": (0.5, 0.05),
              "e": (40.0, 6.0), "f": (2.0, 0.3), "churn": (0.05, 0.008), "g": (30.0, 5.0),
              "h": (1.5, 0.2), "k": (10.0, 1.0), "m": (20.0, 4.0), "unused": (1.0, 0.1)}
    return {code: parse_formula(text) for code, text in texts.items()}, leaves


def test_sensitivity_recomputing_only_a_leafs_ancestors_ranks_exactly_as_the_whole_tree():
    from engine.tree import evaluate_tree
    formulas, leaves = _fixed_tree()
    directions = {"churn": -1, "k": -1, "m": -1}
    whole = probability_sensitivity(
        leaves, lambda v: evaluate_tree("kgi", formulas, v)["kgi"], 1900.0,
        leaf_directions=directions, shifts={"a": 1.02},
        correlation=(["a", "c"], [[1.0, 0.5], [0.5, 1.0]]))
    partial = probability_sensitivity(
        leaves, _Incremental("kgi", formulas), 1900.0, leaf_directions=directions,
        shifts={"a": 1.02}, correlation=(["a", "c"], [[1.0, 0.5], [0.5, 1.0]]))
    assert partial == whole  # bit-identical, not just the same order
    # The order the whole-tree method gave before the incremental path existed.
    assert [s.leaf for s in whole] == PINNED_ORDER
    assert whole[-1].leaf == "unused" and whole[-1].delta_pp == 0.0


def test_a_leaf_changes_only_the_kpis_that_read_it():
    from engine.tree import TreeEvaluator
    formulas, _leaves = _fixed_tree()
    tree = TreeEvaluator("kgi", formulas)
    assert tree.ancestors("a") == [c for c in tree.order if c in {"g0", "g2", "kgi"}]
    assert tree.ancestors("m") == ["cost", "kgi"]
    assert tree.ancestors("kgi") == []


def test_leaves_that_tie_are_ranked_by_name_whatever_the_float_noise():
    # a and b play the same part in a * b * c: moving either by 1 % moves the KGI by the
    # same amount, up to a last-bit difference that depends on the order of evaluation.
    # Whichever of them gets the larger last bit, the names decide.
    leaves = {"a": (10.0, 1.0), "b": (10.0, 1.0), "c": (5.0, 0.5)}
    for noisy in ("a", "b"):
        class Noisy:
            def __call__(self, v):
                return v["a"] * v["b"] * v["c"]

            def cache(self, v):
                return dict(v)

            def changed(self, cached, leaf, value, noisy=noisy):
                out = self({**cached, leaf: value})
                return np.nextafter(out, np.inf) if leaf == noisy else out

        ranking = probability_sensitivity(leaves, Noisy(), 500.0)
        assert [s.leaf for s in ranking][:2] == ["a", "b"]
        assert ranking[0].delta_pp == ranking[1].delta_pp
