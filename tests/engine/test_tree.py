"""KPI trees: cycles, order, evaluation, consistency, goal seek and sensitivity."""

import math

import numpy as np
import pytest

from engine.formula import FormulaError, parse_formula
from engine.solve import goal_seek
from engine.tree import (
    Consistency,
    check_acyclic,
    check_consistency,
    evaluate_tree,
    find_cycle,
    leaves,
    reachable,
    sensitivity,
    topological_order,
)


def tree(**texts):
    """Build a formulas mapping from ``code="formula"`` keyword arguments."""
    return {code: parse_formula(text) for code, text in texts.items()}


EC = tree(monthly_revenue="uu * cvr * aov")
EC_VALUES = {"uu": 120_000, "cvr": 0.02, "aov": 3450}
LTV = tree(ltv="arpa * gm / churn")
LTV_VALUES = {"arpa": 10_000.0, "gm": 0.8, "churn": 0.02}
SAAS = tree(revenue="new_mrr + expansion - churned")
SAAS_VALUES = {"new_mrr": 1_000_000.0, "expansion": 50_000.0, "churned": 20_000.0}
DEEP = tree(kgi="revenue * margin", revenue="orders * aov", orders="sessions * cvr")


# --- structure ----------------------------------------------------------------------


def test_two_kpis_computed_from_each_other_form_a_cycle():
    formulas = tree(a="b + 1", b="a * 2")
    assert find_cycle(formulas) == ["a", "b", "a"]
    with pytest.raises(FormulaError) as info:
        check_acyclic(formulas)
    assert info.value.code == "cycle"
    assert info.value.params == {"path": "a → b → a"}


def test_longer_cycle_is_reported_from_where_it_closes():
    formulas = tree(root="a * x", a="b", b="c", c="a + 1")
    assert find_cycle(formulas) == ["a", "b", "c", "a"]


def test_kpi_computed_from_itself_is_a_self_reference():
    formulas = tree(revenue="revenue * 1.1")
    assert find_cycle(formulas) == ["revenue", "revenue"]
    with pytest.raises(FormulaError) as info:
        check_acyclic(formulas)
    assert info.value.code == "self_reference"
    assert info.value.params == {"name": "revenue", "path": "revenue → revenue"}


def test_acyclic_tree_has_no_cycle():
    assert find_cycle(DEEP) is None
    check_acyclic(DEEP)


def test_shared_input_is_not_a_cycle():
    formulas = tree(root="a + b", a="x * 2", b="x * 3")
    assert find_cycle(formulas) is None


def test_topological_order_puts_inputs_before_what_they_feed():
    order = topological_order(DEEP)
    assert set(order) == {"kgi", "revenue", "margin", "orders", "aov", "sessions", "cvr"}
    for code, formula in DEEP.items():
        for name in formula.variables:
            assert order.index(name) < order.index(code)


def test_topological_order_refuses_cycles():
    with pytest.raises(FormulaError):
        topological_order(tree(a="b", b="a"))


def test_reachable_includes_root_and_everything_feeding_it():
    formulas = {**DEEP, **tree(other="unrelated * 2")}
    assert reachable("kgi", formulas) == {
        "kgi",
        "revenue",
        "margin",
        "orders",
        "aov",
        "sessions",
        "cvr",
    }
    assert reachable("orders", formulas) == {"orders", "sessions", "cvr"}
    assert reachable("cvr", formulas) == {"cvr"}


def test_leaves_follow_the_order_formulas_mention_them():
    assert leaves("monthly_revenue", EC) == ["uu", "cvr", "aov"]
    assert leaves("kgi", DEEP) == ["sessions", "cvr", "aov", "margin"]


def test_leaf_used_twice_is_listed_once():
    assert leaves("root", tree(root="a * b + a")) == ["a", "b"]


# --- evaluation ---------------------------------------------------------------------


def test_evaluate_tree_computes_every_level():
    values = evaluate_tree("kgi", DEEP, {"sessions": 1000, "cvr": 0.1, "aov": 50, "margin": 0.3})
    assert values["orders"] == pytest.approx(100)
    assert values["revenue"] == pytest.approx(5000)
    assert values["kgi"] == pytest.approx(1500)


def test_evaluate_tree_works_over_arrays():
    sessions = np.linspace(1000, 2000, 10_000)
    values = evaluate_tree("kgi", DEEP, {"sessions": sessions, "cvr": 0.1, "aov": 50, "margin": 1})
    assert values["kgi"].shape == (10_000,)
    np.testing.assert_allclose(values["kgi"], sessions * 5)


def test_evaluate_tree_names_a_missing_leaf():
    with pytest.raises(FormulaError) as info:
        evaluate_tree("monthly_revenue", EC, {"uu": 1, "cvr": 1})
    assert info.value.code == "missing_value"
    assert info.value.params == {"name": "aov"}


def test_evaluate_tree_refuses_a_cycle_under_the_root():
    with pytest.raises(FormulaError) as info:
        evaluate_tree("root", tree(root="a", a="b", b="a"), {})
    assert info.value.code == "cycle"


def test_root_without_formula_is_its_own_leaf():
    assert evaluate_tree("uu", EC, {"uu": 5.0}) == {"uu": 5.0}


# --- consistency and goal seek ------------------------------------------------------


def test_monthly_revenue_targets_do_not_reach_83_million():
    result = check_consistency("monthly_revenue", EC, EC_VALUES, 83_000_000)
    assert isinstance(result, Consistency)
    assert result.computed == pytest.approx(8_280_000)
    assert result.target == 83_000_000
    assert result.ratio == pytest.approx(0.0998, abs=5e-5)
    assert result.ok is False
    assert result.missing == []


def test_goal_seek_finds_the_aov_that_reaches_83_million():
    aov = goal_seek("monthly_revenue", EC, EC_VALUES, 83_000_000, "aov")
    assert aov == pytest.approx(34_583.33, abs=0.01)
    fixed = {**EC_VALUES, "aov": aov}
    assert check_consistency("monthly_revenue", EC, fixed, 83_000_000).ok is True


def test_consistency_within_tolerance_is_ok():
    values = {**EC_VALUES, "aov": 34_583.33 * 1.005}
    assert check_consistency("monthly_revenue", EC, values, 83_000_000).ok is True
    values = {**EC_VALUES, "aov": 34_583.33 * 1.02}
    assert check_consistency("monthly_revenue", EC, values, 83_000_000).ok is False


def test_consistency_lists_missing_leaf_targets():
    result = check_consistency("monthly_revenue", EC, {"cvr": 0.02}, 83_000_000)
    assert result.missing == ["uu", "aov"]
    assert result.computed is None
    assert result.ok is False


def test_consistency_with_zero_target_does_not_raise():
    result = check_consistency("revenue", SAAS, SAAS_VALUES, 0)
    assert result.ratio == math.inf
    assert result.ok is False


def test_goal_seek_in_an_additive_tree():
    churned = goal_seek("revenue", SAAS, SAAS_VALUES, 1_000_000, "churned")
    assert churned == pytest.approx(50_000)


def test_goal_seek_for_a_divisor():
    churn = goal_seek("ltv", LTV, LTV_VALUES, 800_000, "churn")
    assert churn == pytest.approx(0.01, rel=1e-9)


def test_goal_seek_through_a_deep_tree_without_a_current_value():
    values = {"sessions": 1000, "cvr": 0.1, "margin": 0.5}
    aov = goal_seek("kgi", DEEP, values, 10_000, "aov")
    assert aov == pytest.approx(200)


def test_goal_seek_may_need_a_negative_value():
    expansion = goal_seek("revenue", SAAS, SAAS_VALUES, 900_000, "expansion")
    assert expansion == pytest.approx(-80_000)


def test_goal_seek_picks_the_root_nearest_the_current_value():
    # x(10 − x) = 16 has roots 2 and 8: from 6 the nearer is 8, from 3 it is 2.
    formulas = tree(kgi="x * (10 - x)")
    assert goal_seek("kgi", formulas, {"x": 6.0}, 16, "x") == pytest.approx(8)
    assert goal_seek("kgi", formulas, {"x": 3.0}, 16, "x") == pytest.approx(2)
    assert goal_seek("kgi", formulas, {"x": 9.5}, 16, "x") == pytest.approx(8)
    assert goal_seek("kgi", formulas, {"x": 4.9}, 16, "x") == pytest.approx(2)


def test_goal_seek_refuses_an_impossible_target():
    with pytest.raises(FormulaError) as info:
        goal_seek("area", tree(area="side * side"), {"side": 3.0}, -4.0, "side")
    assert info.value.code == "unsolvable"
    assert info.value.params == {"name": "side", "target": -4.0}


def test_goal_seek_does_not_mistake_a_pole_for_a_solution():
    with pytest.raises(FormulaError) as info:
        goal_seek("ltv", LTV, {**LTV_VALUES, "arpa": 0.0}, 1000, "churn")
    assert info.value.code == "unsolvable"


def test_goal_seek_on_a_computed_kpi_is_refused():
    with pytest.raises(FormulaError) as info:
        goal_seek("kgi", DEEP, {}, 1.0, "revenue")
    assert info.value.code == "not_a_leaf"


# --- sensitivity --------------------------------------------------------------------


def test_lowering_churn_by_one_percent_raises_ltv_by_1_0101_percent():
    ranking = sensitivity("ltv", LTV, LTV_VALUES, directions={"churn": -1})
    by_code = {item.code: item for item in ranking}
    assert by_code["churn"].delta_pct == pytest.approx(1.0101, abs=1e-4)
    assert by_code["churn"].delta_root > 0
    assert by_code["arpa"].delta_pct == pytest.approx(1.0)
    assert ranking[0].code == "churn"


def test_raising_churn_would_be_ranked_as_harm_without_its_direction():
    by_code = {item.code: item for item in sensitivity("ltv", LTV, LTV_VALUES)}
    assert by_code["churn"].delta_pct == pytest.approx(-0.990099, abs=1e-6)


def test_additive_tree_ranks_large_terms_above_tiny_ones():
    ranking = sensitivity("revenue", SAAS, SAAS_VALUES, directions={"churned": -1})
    assert [item.code for item in ranking] == ["new_mrr", "expansion", "churned"]
    expansion = ranking[1]
    assert expansion.delta_root == pytest.approx(500)
    assert expansion.delta_pct == pytest.approx(500 / 1_030_000 * 100)
    assert ranking[2].delta_root == pytest.approx(200)


def test_elasticity_of_a_product_is_one_for_every_factor():
    ranking = sensitivity("monthly_revenue", EC, EC_VALUES)
    assert [item.elasticity for item in ranking] == pytest.approx([1.0, 1.0, 1.0])


def test_sensitivity_is_sorted_by_absolute_relative_change():
    ranking = sensitivity("kgi", DEEP, {"sessions": 1000, "cvr": 0.1, "aov": 50, "margin": 0.3})
    pcts = [abs(item.delta_pct) for item in ranking]
    assert pcts == sorted(pcts, reverse=True)


def test_sensitivity_refuses_a_direction_other_than_plus_or_minus_one():
    with pytest.raises(FormulaError) as info:
        sensitivity("ltv", LTV, LTV_VALUES, directions={"churn": 0})
    assert info.value.code == "invalid_direction"


def test_sensitivity_with_a_zero_root_does_not_raise():
    ranking = sensitivity("root", tree(root="a - b"), {"a": 1.0, "b": 1.0})
    assert {item.code for item in ranking} == {"a", "b"}
    assert all(math.isinf(item.delta_pct) for item in ranking)
