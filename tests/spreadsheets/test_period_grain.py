"""A month written for a weekly or daily KPI (「2026年10月」) is a month's figure: refused with
the reason, never stored silently on the week holding the 1st (mostly last month's week)."""
from datetime import date

import pytest

from spreadsheets import KpiRef, read_table, rows_to_records

from .badfiles import csv_bytes

WEEKLY = KpiRef("ad_spend", "広告費", "Ad spend", unit="JPY", cadence="weekly")
DAILY = KpiRef("orders", "日次注文数", "Daily orders", unit="count", cadence="daily")
MONTHLY = KpiRef("revenue", "月間売上", "Monthly revenue", unit="JPY", cadence="monthly")


def _map(*lines, kpis=(WEEKLY, DAILY, MONTHLY)):
    return rows_to_records(read_table(csv_bytes(*lines), "numbers.csv"), list(kpis))


@pytest.mark.parametrize("month", ["2026年10月", "2026-10", "2026/10", "令和8年10月",
                                   "２０２６年１０月"])
def test_a_month_for_a_weekly_kpi_is_refused_with_the_reason(month):
    records, problems = _map("期間,広告費", f"{month},1200000")
    assert records == []
    assert [(p.row, p.column, p.code) for p in problems] == [(2, "広告費", "month_for_weekly")]
    assert "weekly" in str(problems[0].message) and month in str(problems[0].message)


def test_a_month_or_a_week_for_a_daily_kpi_is_refused():
    records, problems = _map("期間,日次注文数", "2026-10,300", "2026-W41,70", "2026-10-07,10")
    assert [(r.period_date, r.value) for r in records] == [(date(2026, 10, 7), 10)]
    assert [(p.row, p.code) for p in problems] == [(2, "month_for_daily"), (3, "week_for_daily")]


def test_long_layout_names_the_kpi_of_the_row():
    records, problems = _map("kpi,period,value", "広告費,2026-10,5", "月間売上,2026-10,9")
    assert [(r.kpi_code, r.period_date) for r in records] == [("revenue", date(2026, 10, 1))]
    assert [(p.row, p.column, p.code) for p in problems] == [(2, "value", "month_for_weekly")]


def test_periods_at_or_finer_than_the_kpi_cadence_are_taken():
    records, problems = _map("期間,広告費,月間売上", "2026-W41,1,", "2026-10-14,2,",
                             "2026年10月,,3", "2026-11-03,,4")
    assert problems == []
    assert [(r.kpi_code, r.period_date) for r in records] == [
        ("ad_spend", date(2026, 10, 5)), ("ad_spend", date(2026, 10, 12)),
        ("revenue", date(2026, 10, 1)), ("revenue", date(2026, 11, 1))]


def test_a_kpi_without_cadence_takes_any_period():
    records, problems = _map("期間,UU", "2026-10,5", kpis=[KpiRef("uu", "", "UU", unit="count")])
    assert problems == [] and records[0].period_date == date(2026, 10, 1)
