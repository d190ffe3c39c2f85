"""Property tests: parsing fails only with FormulaError and evaluation never raises."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.formula import Formula, FormulaError, parse_formula

TOKENS = [
    "uu",
    "cvr",
    "aov",
    "churn",
    "x1",
    "a_b",
    "Uu",
    "_x",
    "売上",
    "ｕｕ",
    "0",
    "1",
    "2.5",
    ".5",
    "1e308",
    "1e999",
    "0x1f",
    "1_000",
    "1j",
    "9" * 40,
    "+",
    "-",
    "*",
    "/",
    "**",
    "//",
    "%",
    "×",
    "÷",
    "（",
    "）",
    "＋",
    "－",
    "(",
    ")",
    "(",
    ")",
    " ",
    " ",
    "\t",
    "\n",
    "f(",
    ",",
    ".",
    "'",
    '"',
    "#",
    "[",
    "]",
    ":",
    "=",
    ";",
    "\\",
    "@",
    "~",
    "True",
    "None",
    "not ",
    " if ",
    " else ",
    "lambda ",
    "__import__",
    "\x00",
]

expression_like = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)

arithmetic = st.recursive(
    st.sampled_from(["uu", "cvr", "aov", "churn", "0", "1", "2.5", "1e308"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "×", "÷"]), inner).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"-{s}"),
    ),
    max_leaves=20,
)

awkward_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1e308, -1e308]),
)


def parse_or_formula_error(text):
    """Return a Formula, or None when parsing refuses with a FormulaError."""
    try:
        formula = parse_formula(text)
    except FormulaError as error:
        assert isinstance(error.code, str) and error.code
        assert isinstance(error.params, dict)
        return None
    assert isinstance(formula, Formula)
    return formula


@given(st.text(max_size=300))
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_text_raises_only_formula_error(text):
    parse_or_formula_error(text)


@given(expression_like)
@settings(max_examples=1000)
def test_token_soup_raises_only_formula_error(text):
    parse_or_formula_error(text)


def evaluate_strictly(formula, values):
    """Evaluate with every numpy / float warning (overflow, invalid, divide) an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return formula.evaluate(values)


@given(arithmetic, st.data())
@settings(max_examples=300)
def test_parsed_formulas_evaluate_on_floats_without_raising(text, data):
    formula = parse_or_formula_error(text)
    if formula is None:
        return
    values = {name: data.draw(awkward_floats) for name in formula.names}
    result = evaluate_strictly(formula, values)
    assert type(result) is float


@given(arithmetic, st.data())
@settings(max_examples=200)
def test_parsed_formulas_evaluate_on_arrays_without_raising(text, data):
    formula = parse_or_formula_error(text)
    if formula is None:
        return
    values = {
        name: np.array(data.draw(st.lists(awkward_floats, min_size=5, max_size=5)))
        for name in formula.names
    }
    result = evaluate_strictly(formula, values)
    if formula.names:
        assert isinstance(result, np.ndarray)
        assert result.shape == (5,)


@given(expression_like, st.data())
@settings(max_examples=300)
def test_whatever_token_soup_parses_also_evaluates(text, data):
    formula = parse_or_formula_error(text)
    if formula is None:
        return
    values = {name: data.draw(awkward_floats) for name in formula.names}
    evaluate_strictly(formula, values)
