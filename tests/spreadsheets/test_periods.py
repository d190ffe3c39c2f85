"""parse_date, period_start and iso_week_label."""

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import iso_week_label, period_start
from spreadsheets import ValueProblem, parse_date

MONDAY = date(2026, 1, 5)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-05",
        "2026-1-5",
        "2026/1/5",
        "2026/01/05",
        "2026.01.05",
        "2026年1月5日",
        "２０２６年１月５日",
        "2026 年 1 月 5 日",
        "20260105",
        "2026-01-05 00:00:00",
        "2026-01-05T09:30",
        "2026/1/5 9:30",
        "令和8年1月5日",
        "R8.1.5",
        "46027",
        46027,
        46027.75,
        20260105,
        datetime(2026, 1, 5, 14, 0),
        MONDAY,
        "2026-W02",
        "2026W02",
        "2026-w2",
        "2026-W02-1",
    ],
)
def test_ways_of_writing_monday_5_january_2026(raw):
    assert parse_date(raw) == MONDAY


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01", date(2026, 1, 1)),
        ("2026/1", date(2026, 1, 1)),
        ("2026年1月", date(2026, 1, 1)),
        ("2026年12月", date(2026, 12, 1)),
        ("2020-W53", date(2020, 12, 28)),
        ("2027-W01", date(2027, 1, 4)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和9年1月", date(2027, 1, 1)),  # a month (a target's period): its first day
        ("令和元年12月", date(2019, 12, 1)),
    ],
)
def test_months_weeks_and_eras(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("01/05/2026", "ambiguous_date"),
        ("05-01-2026", "ambiguous_date"),
        ("5.1.2026", "ambiguous_date"),
        ("26/1/5", "ambiguous_date"),
        ("1/5", "date_without_year"),
        ("1月5日", "date_without_year"),
        ("2026-02-30", "invalid_date"),
        ("2026-13", "invalid_date"),
        ("2026-13-01", "invalid_date"),
        ("2026-W54", "invalid_date"),
        ("2025-W53", "invalid_date"),  # 2025 has 52 ISO weeks (2026 has 53)
        ("1899-12-31", "date_out_of_range"),
        ("2150-01-01", "date_out_of_range"),
        ("Jan 5, 2026", "bad_date"),
        ("next monday", "bad_date"),
        ("", "bad_date"),
        (12, "bad_date"),  # a number in the wrong column, not 1900-01-11
        (float("nan"), "bad_date"),
        (time(9, 30), "bad_date"),
        (True, "bad_date"),
        (None, "bad_date"),
    ],
)
def test_bad_and_ambiguous_dates_say_why(raw, code):
    with pytest.raises(ValueProblem) as caught:
        parse_date(raw)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_ambiguous_date_message_asks_for_iso_format():
    with pytest.raises(ValueProblem) as caught:
        parse_date("01/05/2026")
    assert "YYYY-MM-DD" in str(caught.value.message)


@pytest.mark.parametrize(
    ("day", "cadence", "start"),
    [
        (date(2026, 1, 7), "daily", date(2026, 1, 7)),
        (date(2026, 1, 7), "weekly", MONDAY),
        (date(2026, 1, 11), "weekly", MONDAY),  # Sunday belongs to the week before
        (MONDAY, "weekly", MONDAY),
        (date(2026, 1, 1), "weekly", date(2025, 12, 29)),
        (date(2026, 1, 31), "monthly", date(2026, 1, 1)),
    ],
)
def test_period_start(day, cadence, start):
    assert period_start(day, cadence) == start


def test_unknown_cadence_is_a_programming_error():
    with pytest.raises(ValueError):
        period_start(MONDAY, "hourly")


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (MONDAY, "2026-W02"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2021, 1, 3), "2020-W53"),  # the ISO year, not the calendar year
        (date(2024, 12, 30), "2025-W01"),
    ],
)
def test_iso_week_label(day, label):
    assert iso_week_label(day) == label
    assert parse_date(label) == period_start(day, "weekly")


@given(st.one_of(st.text(), st.integers(), st.floats(), st.decimals(), st.dates(), st.none()))
def test_any_cell_is_a_date_or_a_value_problem(raw):
    try:
        parse_date(raw)
    except ValueProblem as problem:
        assert str(problem.message)
