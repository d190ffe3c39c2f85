"""Yen on cards: compact, but never so coarse that a value and its target seem to disagree."""
import pytest

from core.formatting import format_change, format_jpy, format_man_yen, format_value, spark_points


@pytest.mark.parametrize("value,ja,en", [
    (9_999, "¥9,999", "¥9,999"),
    (32_288, "¥3.2万", "¥32.3k"),  # not ¥3万 next to a ¥3,450 target
    (999_999, "¥100万", "¥1M"),
    (2_860_000, "¥286万", "¥2.9M"),
    (83_000_000, "¥8,300万", "¥83M"),
    (-12_345, "-¥1.2万", "-¥12.3k"),
    (99_990_000, "¥9,999万", "¥100M"),
    (99_996_000, "¥1億", "¥100M"),  # not ¥10,000万 at the 億 boundary
    (100_000_000, "¥1億", "¥100M"),
    (123_456_789, "¥1.23億", "¥123.5M"),
])
def test_compact_yen_keeps_two_significant_figures_below_a_million(value, ja, en):
    assert format_jpy(value, compact=True, language="ja") == ja
    assert format_jpy(value, compact=True, language="en") == en


def test_sparkline_points_span_the_box_and_skip_gaps():
    points = spark_points([1, None, 3, 2])
    xs = [float(p.split(",")[0]) for p in points.split()]
    ys = [float(p.split(",")[1]) for p in points.split()]
    assert len(xs) == 3 and xs[0] == 1.0 and xs[-1] == 99.0
    assert min(ys) == 2.0 and max(ys) == 28.0  # highest value at the top of the 30-high box
    assert spark_points([5]) == "" and spark_points([]) == ""


def test_man_yen_switches_to_oku_where_it_would_read_ten_thousand_man():
    assert format_man_yen(99_990_000) == "9,999万円"
    assert format_man_yen(99_996_000) == "1億円"
    assert format_man_yen(250_000_000) == "2.5億円"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    ("-0.3", "JPY", "¥0"), ("-0.4", "count", "0"), ("-0.04", "percent", "0.0 %"),
    ("-0.04", "hours", "0 h"), ("-0.0001", "ratio", "0"), ("-0.01", "score", "0"),
    ("-1", "JPY", "-¥1"), ("-2", "count", "-2"),
])
def test_a_value_that_rounds_to_zero_never_shows_minus_zero(value, unit, shown):
    assert format_value(value, unit) == shown


def test_a_change_that_rounds_to_zero_is_plus_minus_zero():
    assert format_change("-0.04", "%") == "±0.0 %"
    assert format_change("-0.06", "%") == "−0.1 %"
