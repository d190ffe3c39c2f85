"""parse_number and check_range: numbers as Japanese Excel users write them."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spreadsheets import ParsedNumber, ValueProblem, check_range, parse_number, to_unit


@pytest.mark.parametrize(
    ("raw", "value", "percent"),
    [
        ("1234", "1234", False),
        ("1,234", "1234", False),
        ("1,234,567.89", "1234567.89", False),
        ("１２３４", "1234", False),
        ("１，２３４．５", "1234.5", False),
        ("－１２", "-12", False),
        ("−12", "-12", False),  # U+2212 MINUS SIGN
        ("-0", "0", False),
        ("+7", "7", False),
        (".5", "0.5", False),
        ("12.5%", "12.5", True),
        ("１２．５％", "12.5", True),
        ("8,300万", "83000000", False),
        ("1.2億", "120000000", False),
        ("3千", "3000", False),
        ("1億2,000万", "120000000", False),
        ("¥83,000,000", "83000000", False),
        ("￥83,000,000", "83000000", False),
        ("\\1,000", "1000", False),  # the yen sign of Japanese fonts
        ("83,000,000円", "83000000", False),
        ("8,300万円", "83000000", False),
        ("(1,234)", "-1234", False),
        ("▲1,234", "-1234", False),
        (" 1 234 ", "1234", False),
        ("\u00a01,234\u3000", "1234", False),
        ("1.2E+07", "12000000", False),
        (1234, "1234", False),
        (0.1, "0.1", False),
        (2.5, "2.5", False),
        (Decimal("3.45"), "3.45", False),
    ],
)
def test_numbers_people_write_are_read(raw, value, percent):
    assert parse_number(raw) == ParsedNumber(Decimal(value), percent)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("abc", "not_a_number"),
        ("N/A", "not_a_number"),
        ("-", "not_a_number"),
        ("万", "not_a_number"),
        ("3万1億", "not_a_number"),
        ("12%%", "not_a_number"),
        ("1.2.3", "multiple_decimal_points"),
        ("1,2,3.4.5", "multiple_decimal_points"),
        ("1,23", "bad_thousands_separator"),
        ("=SUM(A1:A3)", "formula"),
        ("＝1+1", "formula"),
        ("#DIV/0!", "excel_error"),
        ("#n/a", "excel_error"),
        ("nan", "not_finite"),
        ("Infinity", "not_finite"),
        (float("nan"), "not_finite"),
        (float("inf"), "not_finite"),
        (Decimal("NaN"), "not_finite"),
        ("1234567890123456", "too_many_digits"),
        ("0.1234567890123456", "too_many_digits"),
        (True, "not_a_number"),
        ("", "empty_value"),
        (None, "empty_value"),
    ],
)
def test_what_is_not_a_number_says_why(raw, code):
    with pytest.raises(ValueProblem) as caught:
        parse_number(raw)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_message_quotes_the_cell():
    with pytest.raises(ValueProblem) as caught:
        parse_number("N/A")
    assert "“N/A”" in str(caught.value.message)


def test_formula_message_says_to_paste_values():
    with pytest.raises(ValueProblem) as caught:
        parse_number("=SUM(A1)")
    assert "paste values" in str(caught.value.message)


def test_fifteen_significant_digits_are_fine():
    assert parse_number("123456789012345").value == Decimal("123456789012345")
    assert parse_number("1000000000000000").value == Decimal("1000000000000000")


@pytest.mark.parametrize("raw", ["10000000000000000", "1000000000000000000", "1e309", "1E+400",
                                 "-1e309", 1e300])
def test_numbers_beyond_the_stored_range_are_too_large(raw):
    # numeric(20,4) holds less than 10^16; 1e309 must not reach any arithmetic.
    with pytest.raises(ValueProblem) as problem:
        parse_number(raw)
    assert problem.value.code == "too_large"


def codes(value, unit, percent=False, **options):
    return [p.code for p in check_range(Decimal(value), unit, percent, **options)]


@pytest.mark.parametrize(
    ("value", "unit", "percent", "expected"),
    [
        ("12.5", "percent", True, []),
        ("0.125", "percent", False, []),  # percent points: 0.125 %
        ("100", "percent", False, []),
        ("0", "percent", False, []),
        ("100.01", "percent", False, ["percent_out_of_range"]),
        ("-1", "percent", True, ["percent_out_of_range"]),
        ("3", "count", False, []),
        ("-3", "count", False, ["negative_value"]),
        ("2.5", "count", False, ["not_integer"]),
        ("-2.5", "count", False, ["negative_value", "not_integer"]),
        ("2.0", "count", False, []),
        ("-1", "days", False, ["negative_value"]),
        ("-1", "hours", False, ["negative_value"]),
        ("-0.1", "ratio", False, ["negative_value"]),
        ("12.5", "ratio", True, []),
        ("-83000000", "JPY", False, ["negative_value"]),  # an ad spend of -¥83M is a typo
        ("12", "JPY", True, ["unexpected_percent"]),
        ("12", "count", True, ["unexpected_percent"]),
        ("-50", "score", False, []),
        ("-50", None, False, []),
        ("-50", "furlongs", False, []),
    ],
)
def test_range_by_unit(value, unit, percent, expected):
    assert codes(value, unit, percent) == expected


def test_percent_kpis_like_nrr_can_allow_more_than_100():
    assert codes("115", "percent", percent_max=Decimal(200)) == []
    assert codes("115", "percent") == ["percent_out_of_range"]


def test_percent_written_in_a_ratio_kpi_becomes_a_fraction():
    assert to_unit(parse_number("12.5%"), "ratio") == Decimal("0.125")
    assert to_unit(parse_number("12.5%"), "percent") == Decimal("12.5")
    assert to_unit(parse_number("0.125"), "ratio") == Decimal("0.125")


@given(st.one_of(st.text(), st.integers(), st.floats(), st.decimals(), st.none(), st.booleans()))
def test_any_cell_is_a_number_or_a_value_problem(raw):
    try:
        parsed = parse_number(raw)
    except ValueProblem as problem:
        assert str(problem.message)
    else:
        assert parsed.value.is_finite()
        check_range(parsed.value, "percent", parsed.percent)


def test_ten_thousand_man_yen_is_one_oku():
    assert parse_number("¥10,000万").value == parse_number("1億").value == Decimal(100_000_000)


def test_a_percent_kpi_around_two_percent_refuses_0_02_and_suggests_2():
    problems = check_range(Decimal("0.02"), "percent", typical=Decimal("2.1"))
    assert [p.code for p in problems] == ["percent_as_fraction"]
    assert "2%" in str(problems[0].message)
    # Written as a percentage, or on a KPI that really lives below 1 %, it is taken as is.
    assert check_range(Decimal("0.02"), "percent", percent=True, typical=Decimal("2.1")) == []
    assert check_range(Decimal("0.8"), "percent", typical=Decimal("0.9")) == []
    assert check_range(Decimal("0.02"), "percent") == []
    assert check_range(Decimal("2"), "percent", typical=Decimal("2.1")) == []


def test_a_kpi_that_can_be_negative_takes_a_loss_or_a_net_change():
    assert codes("-83000000", "JPY", allow_negative=True) == []
    assert codes("-3", "count", allow_negative=True) == []
    assert codes("-1", "percent", True, allow_negative=True) == ["percent_out_of_range"]
