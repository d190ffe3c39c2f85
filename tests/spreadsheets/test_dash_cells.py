"""A dash in a wide sheet's cell (「-」「―」「ー」) is how Japanese reports write "no figure":
skipped like an empty cell, not a problem per cell nor a zero."""
from datetime import date

import pytest

from spreadsheets import KpiRef, read_table, rows_to_records

from .badfiles import csv_bytes

KPIS = [KpiRef("ad_spend", "広告費", "Ad spend", unit="JPY", cadence="weekly"),
        KpiRef("cpc", "クリック単価", "CPC", unit="JPY", cadence="weekly")]


@pytest.mark.parametrize("dash", ["-", "－", "―", "ー", "—", "–", "‐", "--"])
def test_a_dash_cell_is_skipped_like_an_empty_one(dash):
    table = read_table(csv_bytes("期間,広告費,クリック単価", f"2026-10-05,100,{dash}",
                                 f"2026-10-12,{dash},{dash}"), "r.csv")
    records, problems = rows_to_records(table, KPIS)
    assert problems == []
    assert [(r.kpi_code, r.period_date, r.value) for r in records] == [
        ("ad_spend", date(2026, 10, 5), 100)]


def test_a_minus_sign_with_a_number_is_still_a_number():
    table = read_table(csv_bytes("期間,広告費", "2026-10-05,-5"), "r.csv")
    _records, problems = rows_to_records(table, KPIS)
    assert [p.code for p in problems] == ["negative_value"]
