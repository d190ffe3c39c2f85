"""Fiscal quarters, including a fiscal year that starts in April (FY named by its start year)."""
from datetime import date

import pytest

from core.quarters import Quarter, parse_quarter, quarter_of


@pytest.mark.parametrize("day, label", [
    (date(2026, 4, 1), "2026Q1"),
    (date(2026, 6, 30), "2026Q1"),
    (date(2026, 7, 1), "2026Q2"),
    (date(2026, 12, 31), "2026Q3"),
    (date(2027, 1, 1), "2026Q4"),
    (date(2027, 3, 31), "2026Q4"),
    (date(2027, 4, 1), "2027Q1"),
])
def test_april_fiscal_year_quarter_boundaries(day, label):
    assert quarter_of(day, 4).label == label


def test_calendar_fiscal_year_is_the_calendar_year():
    assert quarter_of(date(2026, 1, 1), 1).label == "2026Q1"
    assert quarter_of(date(2026, 12, 31), 1).label == "2026Q4"


def test_april_q4_runs_january_to_march_of_the_next_calendar_year():
    q = parse_quarter("2026Q4", 4)
    assert (q.start, q.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert q.next().label == "2027Q1" and q.next().start == date(2027, 4, 1)
    assert q.previous().label == "2026Q3" and q.previous().end == date(2026, 12, 31)


def test_quarter_end_handles_leap_years_and_odd_start_months():
    assert parse_quarter("2027Q4", 12).start == date(2028, 9, 1)
    assert Quarter(2028, 1, 12).start == date(2028, 12, 1)
    assert Quarter(2028, 1, 12).end == date(2029, 2, 28)
    assert Quarter(2027, 1, 12).end == date(2028, 2, 29)


def test_every_day_belongs_to_exactly_the_quarter_that_contains_it():
    day = date(2025, 1, 1)
    for start_month in (1, 4, 10):
        for offset in range(0, 800, 7):
            d = date.fromordinal(day.toordinal() + offset)
            q = quarter_of(d, start_month)
            assert q.contains(d) and not q.next().contains(d)


def test_elapsed_fraction_runs_from_zero_to_one():
    q = parse_quarter("2026Q3", 4)
    assert q.elapsed_fraction(date(2026, 9, 30)) == 0.0
    assert q.elapsed_fraction(date(2027, 1, 1)) == 1.0
    assert 0.5 < q.elapsed_fraction(date(2026, 11, 22)) < 0.6


@pytest.mark.parametrize("bad", ["2026Q5", "2026-Q1", "", "Q1", None])
def test_bad_labels_are_refused(bad):
    with pytest.raises(ValueError):
        parse_quarter(bad, 4)
