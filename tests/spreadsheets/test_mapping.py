"""Header matching, shape detection and rows → records with every problem collected."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spreadsheets import (
    FileRejected,
    KpiRef,
    Record,
    detect_shape,
    match_header,
    read_table,
    rows_to_records,
)
from spreadsheets.reading import Table

from .badfiles import KPIS, csv_bytes

UU, CVR, AOV = KPIS


def table(*lines):
    return read_table(csv_bytes(*lines), "kpi.csv")


def codes(problems):
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("header", "kpi"),
    [
        ("uu", UU),
        ("UU", UU),
        ("ＵＵ", UU),
        ("  uu  ", UU),
        ("ユニークユーザー数", UU),
        ("ﾕﾆｰｸﾕｰｻﾞｰ数", UU),  # half-width katakana, NFKC-folded
        ("ユニークユーザー数（人）", UU),
        ("UU (users)", UU),
        ("購入率（%）", CVR),
        ("CVR [%]", CVR),
        ("平均注文額(円)", AOV),
        ("平均注文額【円】", AOV),
        ("aov", AOV),
        ("pv", None),
        ("", None),
        ("（円）", None),
    ],
)
def test_match_header(header, kpi):
    assert match_header(header, KPIS) == kpi


def test_code_wins_over_a_name_of_another_kpi():
    a = KpiRef("sales", "売上", "Revenue")
    b = KpiRef("revenue", "収益", "Income")
    assert match_header("revenue", [a, b]) == b


@pytest.mark.parametrize(
    ("headers", "shape"),
    [
        (["kpi", "period", "value"], "long"),
        (["KPI", "期間", "値"], "long"),
        (["指標", "日付", "数値"], "long"),
        (["指標", "週", "値", "メモ"], "long"),
        (["period", "uu", "cvr"], "wide"),
        (["期間", "UU", "CVR", "AOV"], "wide"),
        (["日付", "ユニークユーザー数"], "wide"),
        (["week", "value"], "wide"),  # no KPI column: not long
    ],
)
def test_detect_shape(headers, shape):
    assert detect_shape(headers, KPIS) == shape


def test_a_kpi_named_value_is_a_wide_column():
    kpis = [KpiRef("value", "価値", "Value")]
    assert detect_shape(["kpi", "period", "value"], kpis) == "wide"


def test_wide_shape_gives_one_record_per_filled_cell_and_skips_empty_cells():
    records, problems = rows_to_records(
        table("期間,UU,CVR（%）,AOV", '2026-01-05,"120,000",2.0%,"3,450"', "2026-01-12,130000,,"),
        KPIS,
    )
    assert problems == []
    assert records == [
        Record(2, "UU", "uu", date(2026, 1, 5), Decimal("120000"), False),
        Record(2, "CVR（%）", "cvr", date(2026, 1, 5), Decimal("2.0"), True),
        Record(2, "AOV", "aov", date(2026, 1, 5), Decimal("3450"), False),
        Record(3, "UU", "uu", date(2026, 1, 12), Decimal("130000"), False),
    ]


def test_long_shape_accepts_codes_and_names():
    records, problems = rows_to_records(
        table("指標,期間,値", "uu,2026-W02,120000", "購入率,2026-W02,2.0", "AOV,2026-W03,3450"),
        KPIS,
    )
    assert problems == []
    assert [(r.kpi_code, r.period_date, r.value) for r in records] == [
        ("uu", date(2026, 1, 5), Decimal("120000")),
        ("cvr", date(2026, 1, 5), Decimal("2.0")),
        ("aov", date(2026, 1, 12), Decimal("3450")),
    ]


def test_weekly_kpis_are_stored_on_the_monday():
    records, _problems = rows_to_records(table("期間,UU", "2026-01-08,5"), KPIS)
    assert records[0].period_date == date(2026, 1, 5)
    daily = [KpiRef("uu", "", "UU", unit="count")]
    records, _problems = rows_to_records(table("期間,UU", "2026-01-08,5"), daily)
    assert records[0].period_date == date(2026, 1, 8)


def test_every_problem_is_collected_with_row_and_column():
    records, problems = rows_to_records(
        table(
            "期間,UU,CVR,PV",
            "2026-01-05,abc,150,1",
            "01/05/2026,-3,2,1",
            "2026-01-12,1,2,1",
            "2026-01-12,2,,",
        ),
        KPIS,
    )
    found = {(p.row, p.column, p.code) for p in problems}
    assert found == {
        (1, "PV", "unknown_kpi_column"),
        (2, "UU", "not_a_number"),
        (2, "CVR", "percent_out_of_range"),
        (3, "期間", "ambiguous_date"),
        (3, "UU", "negative_value"),
        (5, "UU", "duplicate_row"),
    }
    assert len(problems) == len(found)
    assert [r.row for r in records] == [4, 4]  # the caller imports nothing anyway
    duplicate = next(p for p in problems if p.code == "duplicate_row")
    assert "4" in str(duplicate.message) and "5" in str(duplicate.message)


def test_another_companys_kpi_is_simply_unknown():
    _records, problems = rows_to_records(table("kpi,period,value", "nrr,2026-01-05,110"), KPIS)
    assert [(p.row, p.column, p.code) for p in problems] == [(2, "kpi", "unknown_kpi")]
    assert "nrr" in str(problems[0].message)


def test_long_shape_missing_cells_are_problems():
    _records, problems = rows_to_records(
        table("kpi,period,value,memo", ",2026-01-05,1,", "uu,,1,", "uu,2026-01-05,,", ",,,note"),
        KPIS,
    )
    assert [(p.row, p.code) for p in problems] == [
        (2, "missing_kpi"),
        (3, "missing_period"),
        (4, "missing_value"),
    ]


def test_wide_shape_header_problems():
    _records, problems = rows_to_records(table("UU,CVR", "1,2"), KPIS)
    assert codes(problems) == ["no_period_column"]
    _records, problems = rows_to_records(table("期間,メモ", "2026-01-05,x"), KPIS)
    assert codes(problems) == ["unknown_kpi_column"]
    _records, problems = rows_to_records(table("期間,UU,uu", "2026-01-05,1,1"), KPIS)
    assert codes(problems) == ["duplicate_column"]
    _records, problems = rows_to_records(table("期間,UU", "2026-01-05,1,9"), KPIS)
    assert [(p.column, p.code) for p in problems] == [("C", "column_without_header")]


def test_period_without_values_is_skipped_but_values_without_period_are_not():
    records, problems = rows_to_records(table("期間,UU", "2026-01-05,", ",3"), KPIS)
    assert records == []
    assert [(p.row, p.code) for p in problems] == [(3, "missing_period")]


def test_problems_found_while_reading_are_included():
    from spreadsheets import Problem, Text

    read_problem = Problem(2, "UU", Text("no value"), "formula_without_value")
    data = Table(["期間", "UU"], [(2, ["2026-01-05", None])], None, "xlsx", problems=[read_problem])
    records, problems = rows_to_records(data, KPIS)
    assert records == []
    assert problems == [read_problem]


def test_xlsx_numbers_and_dates_map_directly():
    from datetime import datetime

    data = Table(
        ["期間", "UU", "CVR"],
        [(2, [datetime(2026, 1, 5), 120000, "12.5%"]), (3, [46034, 1.0, 0.5])],
        None,
        "xlsx",
    )
    records, problems = rows_to_records(data, KPIS)
    assert problems == []
    assert [(r.period_date, r.kpi_code, r.value, r.percent) for r in records] == [
        (date(2026, 1, 5), "uu", Decimal("120000"), False),
        (date(2026, 1, 5), "cvr", Decimal("12.5"), True),
        (date(2026, 1, 12), "uu", Decimal("1.0"), False),
        (date(2026, 1, 12), "cvr", Decimal("0.5"), False),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["", "uu", "CVR", "期間", "2026-01-05", "1,2", "abc", "=1", "１２%"])
            | st.text(max_size=8),
            max_size=5,
        ),
        max_size=6,
    )
)
def test_any_csv_gives_records_and_problems_or_file_rejected(grid):
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in grid)
    try:
        result = read_table(text.encode(), "fuzz.csv")
    except FileRejected:
        return
    records, problems = rows_to_records(result, KPIS)
    for problem in problems:
        assert str(problem.message)
