"""The one calendar: ISO weeks (week 53, New Year), months, fiscal quarters, day shares."""
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from core.calendar import (
    IsoWeek,
    Quarter,
    add_months,
    days_in,
    days_in_month,
    iso_week_label,
    last_periods,
    month_key,
    month_shares,
    next_period,
    parse_month,
    parse_quarter,
    parse_week,
    period_days,
    period_end,
    period_grid,
    period_start,
    previous_period,
    quarter_of,
    steps_between,
    subperiods,
    team_today,
    week_of,
)

# --- weeks


@pytest.mark.parametrize(("day", "label", "monday"), [
    (date(2026, 12, 31), "2026-W53", date(2026, 12, 28)),  # 2026 has 53 ISO weeks
    (date(2027, 1, 3), "2026-W53", date(2026, 12, 28)),  # a Sunday in the next calendar year
    (date(2027, 1, 4), "2027-W01", date(2027, 1, 4)),
    (date(2024, 12, 30), "2025-W01", date(2024, 12, 30)),  # a December Monday in next ISO year
    (date(2021, 1, 3), "2020-W53", date(2020, 12, 28)),
    (date(2026, 12, 2), "2026-W49", date(2026, 11, 30)),
])
def test_iso_week_of_a_day_uses_the_iso_year_around_new_year(day, label, monday):
    week = week_of(day)
    assert (week.label, week.monday, iso_week_label(day)) == (label, monday, label)
    assert week.sunday == monday + timedelta(days=6)
    year, number, first = week  # still unpacks as (iso_year, iso_week, monday)
    assert (year, number, first) == (int(label[:4]), int(label[-2:]), monday)


def test_week_labels_parse_back_and_week_53_only_where_it_exists():
    assert parse_week("2026-W53") == IsoWeek(2026, 53, date(2026, 12, 28))
    assert parse_week("2027-W53") is None  # 2027 has 52 ISO weeks
    for bad in ("2026-W00", "2026W01", "2026-W1", "", None, "2026-W99"):
        assert parse_week(bad) is None


def test_every_day_round_trips_through_its_week_label():
    day = date(2019, 12, 1)
    for offset in range(0, 3 * 366):
        d = day + timedelta(days=offset)
        week = parse_week(iso_week_label(d))
        assert week.monday <= d <= week.sunday


def test_team_today_follows_the_team_time_zone():
    late_utc = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # already 1 January in Tokyo
    assert team_today(SimpleNamespace(timezone="Asia/Tokyo"), late_utc) == date(2027, 1, 1)
    assert team_today(SimpleNamespace(timezone="UTC"), late_utc) == date(2026, 12, 31)


# --- months


def test_months_parse_label_and_step_across_years():
    assert parse_month("2026-12") == date(2026, 12, 1)
    assert parse_month("2026-1") == date(2026, 1, 1)
    for bad in ("2026-13", "2026-00", "26-11", "", None, "2026-11-01", "1969-12"):
        assert parse_month(bad) is None
    assert month_key(date(2026, 12, 31)) == "2026-12"
    assert add_months(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 3, 31), 11) == date(2027, 2, 1)
    assert days_in_month(date(2028, 2, 10)) == 29 and days_in_month(date(2027, 2, 1)) == 28


# --- periods


@pytest.mark.parametrize(("day", "cadence", "start", "end"), [
    (date(2027, 1, 2), "daily", date(2027, 1, 2), date(2027, 1, 3)),
    (date(2027, 1, 2), "weekly", date(2026, 12, 28), date(2027, 1, 4)),
    (date(2027, 1, 2), "monthly", date(2027, 1, 1), date(2027, 2, 1)),
    (date(2028, 2, 29), "monthly", date(2028, 2, 1), date(2028, 3, 1)),
])
def test_period_start_and_end(day, cadence, start, end):
    assert period_start(day, cadence) == start
    assert period_end(start, cadence) == end == next_period(start, cadence)
    assert period_days(start, cadence) == (end - start).days


def test_unknown_cadence_is_refused():
    with pytest.raises(ValueError):
        period_start(date(2026, 1, 1), "hourly")


def test_period_grids_steps_and_windows_agree():
    grid = period_grid(date(2026, 11, 1), date(2027, 2, 1), "monthly")
    assert grid == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert steps_between(grid[0], grid[-1], "monthly") == 3
    assert steps_between(date(2026, 12, 28), date(2027, 1, 11), "weekly") == 2
    assert last_periods("weekly", date(2027, 1, 2), 3) == [
        date(2026, 12, 14), date(2026, 12, 21), date(2026, 12, 28)]
    assert previous_period(date(2027, 1, 15), "monthly") == date(2026, 12, 1)


def test_subperiods_give_a_week_to_the_month_of_its_monday():
    # December 2026: the week of Mon 30 Nov belongs to November, Mon 28 Dec to December.
    weeks = subperiods(date(2026, 12, 1), "monthly", "weekly")
    assert weeks == [date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 21), date(2026, 12, 28)]
    assert len(subperiods(date(2026, 12, 28), "weekly", "daily")) == 7
    assert subperiods(date(2026, 12, 28), "weekly", "monthly") == [date(2026, 12, 1)]


# --- shares of a period by day


def test_a_week_straddling_two_months_is_shared_by_its_days():
    monday = date(2026, 11, 30)  # Mon 30 Nov … Sun 6 Dec
    assert days_in(monday, "weekly", date(2026, 11, 1)) == 1
    assert days_in(monday, "weekly", date(2026, 12, 15)) == 6
    assert days_in(monday, "weekly", date(2027, 1, 1)) == 0
    assert month_shares(monday, "weekly") == {date(2026, 11, 1): 1, date(2026, 12, 1): 6}
    # Week 53 crosses the year: four days in December 2026, three in January 2027.
    assert month_shares(date(2026, 12, 28), "weekly") == {
        date(2026, 12, 1): 4, date(2027, 1, 1): 3}
    assert month_shares(date(2026, 12, 7), "weekly") == {date(2026, 12, 1): 7}
    assert month_shares(date(2027, 2, 1), "monthly") == {date(2027, 2, 1): 28}


# --- fiscal quarters


@pytest.mark.parametrize(("day", "code", "label"), [
    (date(2026, 4, 1), "2026Q1", "FY2026 Q1"),
    (date(2026, 6, 30), "2026Q1", "FY2026 Q1"),
    (date(2026, 7, 1), "2026Q2", "FY2026 Q2"),
    (date(2026, 12, 31), "2026Q3", "FY2026 Q3"),
    (date(2027, 1, 1), "2026Q4", "FY2026 Q4"),  # the fiscal year is named by its start year
    (date(2027, 3, 31), "2026Q4", "FY2026 Q4"),
    (date(2027, 4, 1), "2027Q1", "FY2027 Q1"),
])
def test_fiscal_year_starting_in_april(day, code, label):
    quarter = quarter_of(day, 4)
    assert (quarter.code, quarter.label, str(quarter)) == (code, label, label)


def test_a_january_fiscal_year_is_the_calendar_year():
    assert quarter_of(date(2026, 1, 1), 1).code == "2026Q1"
    assert quarter_of(date(2026, 12, 31), 1).label == "FY2026 Q4"
    assert parse_quarter("2026Q4").start == date(2026, 10, 1)


@pytest.mark.parametrize("text", ["FY2026 Q4", "fy2026-q4", "FY2026Q4", "2026Q4", " 2026q4 "])
def test_the_new_label_and_the_old_code_name_the_same_fiscal_quarter(text):
    quarter = parse_quarter(text, 4)
    assert quarter == Quarter(2026, 4, 4)
    assert (quarter.start, quarter.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarter.next().code == "2027Q1" and quarter.next().start == date(2027, 4, 1)
    assert quarter.previous().label == "FY2026 Q3"
    assert quarter.previous().end == date(2026, 12, 31)


def test_quarter_ends_handle_leap_years_and_december_starts():
    assert parse_quarter("2027Q4", 12).start == date(2028, 9, 1)
    assert Quarter(2028, 1, 12).start == date(2028, 12, 1)
    assert Quarter(2028, 1, 12).end == date(2029, 2, 28)
    assert Quarter(2027, 1, 12).end == date(2028, 2, 29)


def test_every_day_belongs_to_exactly_the_quarter_that_contains_it():
    day = date(2025, 1, 1)
    for start_month in (1, 4, 10, 12):
        for offset in range(0, 800, 3):
            d = day + timedelta(days=offset)
            quarter = quarter_of(d, start_month)
            assert quarter.contains(d) and not quarter.next().contains(d)
            assert not quarter.previous().contains(d)
            assert parse_quarter(quarter.label, start_month) == quarter


def test_elapsed_fraction_runs_from_zero_to_one():
    quarter = parse_quarter("FY2026 Q3", 4)
    assert quarter.elapsed_fraction(date(2026, 9, 30)) == 0.0
    assert quarter.elapsed_fraction(date(2027, 1, 1)) == 1.0
    assert 0.5 < quarter.elapsed_fraction(date(2026, 11, 22)) < 0.6


@pytest.mark.parametrize("bad", ["2026Q5", "FY26 Q1", "", "Q1", None, "2026 Q0", "FY2026"])
def test_bad_quarters_are_refused(bad):
    with pytest.raises(ValueError):
        parse_quarter(bad, 4)
