"""One function reads targets at any grain: sums by days, averages not divided, last at the end."""
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from metrics.target_plan import Stored, TargetPlan


def kpi(aggregation="sum", cadence="weekly"):
    return SimpleNamespace(pk=1, aggregation=aggregation, cadence=cadence)


def plan(*rows, fiscal=1):
    return TargetPlan({1: [Stored(*r) for r in rows]}, fiscal)


NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def test_a_week_straddling_two_months_adds_each_months_share_by_days():
    p = plan(("month", NOV, Decimal(3000)), ("month", DEC, Decimal(6200)))
    # W49 2026: Mon 11-30 (1 day of November) … Sun 12-06 (6 days of December).
    value = p.at(kpi(), "week", date(2026, 11, 30))
    assert value == Decimal(3000) / 30 + Decimal(6200) * 6 / 31


def test_average_and_rate_targets_are_not_divided():
    p = plan(("month", NOV, Decimal(3000)), ("month", DEC, Decimal(3100)))
    assert p.at(kpi("average"), "week", date(2026, 12, 7)) == Decimal(3100)
    straddling = p.at(kpi("average"), "week", date(2026, 11, 30))
    assert straddling == (Decimal(3000) + 6 * Decimal(3100)) / 7


def test_last_uses_the_period_end():
    p = plan(("month", NOV, Decimal(10)), ("month", DEC, Decimal(20)))
    assert p.at(kpi("last"), "week", date(2026, 11, 30)) == Decimal(20)


def test_a_month_target_stays_until_changed_but_a_quarter_only_in_its_quarter():
    p = plan(("month", NOV, Decimal(3100)), ("quarter", date(2027, 1, 1), Decimal(9000)))
    assert p.at(kpi("sum", "monthly"), "month", DEC) == Decimal(3100)
    assert p.at(kpi("sum", "monthly"), "month", date(2027, 1, 1)) == Decimal(9000) * 31 / 90


def test_next_quarters_threshold_changes_nothing_before_it_starts():
    p = plan(("quarter", date(2027, 1, 1), Decimal(9000)))
    assert p.at(kpi(), "week", date(2026, 12, 14)) is None
    assert p.at(kpi(), "week", date(2027, 1, 4)) == Decimal(9000) * 7 / 90


def test_a_day_without_a_plan_leaves_a_sum_unknown():
    p = plan(("month", DEC, Decimal(6200)))
    assert p.at(kpi(), "week", date(2026, 11, 30)) is None
    assert p.at(kpi(), "week", date(2026, 12, 7)) == Decimal(1400)


def test_series_answers_each_period_of_the_grain():
    p = plan(("month", DEC, Decimal(3100)))
    weeks = p.series(kpi(), "week", date(2026, 12, 7), date(2026, 12, 20))
    assert weeks == [(date(2026, 12, 7), Decimal(700)), (date(2026, 12, 14), Decimal(700))]
