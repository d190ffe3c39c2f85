"""The report layout: one KPI per row, one period per column (the monthly/weekly report)."""
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from spreadsheets import KpiRef, detect_shape, read_table, rows_to_records
from spreadsheets.mapping import rename, unmapped
from spreadsheets.stream_mapping import StreamMapper
from spreadsheets.streaming import open_stream

from .badfiles import csv_bytes, xlsx_bytes

KPIS = [KpiRef("revenue", "売上高", "Revenue", unit="JPY", cadence="monthly"),
        KpiRef("visits", "訪問数", "Visits", unit="count", cadence="weekly")]


def whole(data, filename="r.csv", kpis=KPIS):
    records, problems = rows_to_records(read_table(data, filename), kpis)
    return records, problems


def streamed(data, filename="r.csv", kpis=KPIS):
    """The streamed mapper fed one row per chunk: whatever it keeps across chunks is tested."""
    table = open_stream(lambda: io.BytesIO(data), filename, size=len(data))
    mapper = StreamMapper(table, kpis)
    records, problems = [], []
    for chunk in table.chunks(1):
        found, found_problems = mapper.feed(chunk)
        records += found
        problems += found_problems
    return records, problems


def cells(records):
    return [(r.row, r.column, r.kpi_code, r.period_date, r.value) for r in records]


def located(problems):
    return sorted((p.row, p.column, p.code) for p in problems)


@pytest.mark.parametrize("read", [whole, streamed])
def test_weekly_report_with_english_names_gives_a_record_per_cell(read):
    data = csv_bytes("KPI,2026-01-05,2026-01-12,2026-01-19", "Visits,30,31,29")
    records, problems = read(data)
    assert problems == []
    assert cells(records) == [
        (2, "2026-01-05", "visits", date(2026, 1, 5), 30),
        (2, "2026-01-12", "visits", date(2026, 1, 12), 31),
        (2, "2026-01-19", "visits", date(2026, 1, 19), 29)]


@pytest.mark.parametrize("read", [whole, streamed])
def test_japanese_month_headers_and_names_land_on_each_month(read):
    data = csv_bytes("指標,2026年1月,2026年2月,2026年3月", "売上高,1200,\"1,300\",-",
                     encoding="cp932")
    records, problems = read(data)
    assert problems == []
    assert [(r.kpi_code, r.period_date, r.value) for r in records] == [
        ("revenue", date(2026, 1, 1), Decimal(1200)), ("revenue", date(2026, 2, 1), 1300)]


@pytest.mark.parametrize("read", [whole, streamed])
def test_xlsx_header_cells_that_are_dates_are_the_periods(read):
    data = xlsx_bytes([None, datetime(2026, 1, 5), datetime(2026, 1, 12)],
                      ["revenue", None, None], ["visits", 30, 31])
    records, problems = read(data, "r.xlsx")
    assert problems == []
    assert cells(records) == [(3, "2026-01-05", "visits", date(2026, 1, 5), 30),
                              (3, "2026-01-12", "visits", date(2026, 1, 12), 31)]


@pytest.mark.parametrize("read", [whole, streamed])
def test_each_problem_names_its_row_and_column(read):
    data = csv_bytes("KPI,2026-01-05,2026-01-12,Total",
                     "Visits,30,abc,61",
                     "Sales,1,2,3",  # not a KPI of the company
                     ",4,5,9",  # values without a KPI
                     "visits,1,2,3")  # the same KPI again
    records, problems = read(data)
    assert located(problems) == [
        (1, "Total", "not_a_period_column"),
        (2, "2026-01-12", "not_a_number"),
        (3, "KPI", "unknown_kpi"),
        (4, "KPI", "missing_kpi"),
        (5, "KPI", "duplicate_kpi_row")]
    messages = {p.code: str(p.message) for p in problems}
    assert "“Total” is not a period" in messages["not_a_period_column"]
    assert "“Sales” is not a KPI of this company." == messages["unknown_kpi"]
    assert "Rows 2 and 5 are both the KPI visits" in messages["duplicate_kpi_row"]
    assert cells(records) == [(2, "2026-01-05", "visits", date(2026, 1, 5), 30)]


@pytest.mark.parametrize("read", [whole, streamed])
def test_two_columns_of_one_period_are_refused(read):
    data = csv_bytes("KPI,2026-01,2026年1月,2026-01-06,2026-01-07", "visits,,,1,2")
    _records, problems = read(data)
    assert located(problems) == [(1, "2026年1月", "duplicate_period_column"),
                                 (2, "2026-01-07", "duplicate_period")]
    message = next(str(p.message) for p in problems if p.code == "duplicate_period")
    assert message == ("“2026-01-07” and “2026-01-06” are the same period of visits "
                       "(2026-01-05); keep one.")


@pytest.mark.parametrize("read", [whole, streamed])
def test_a_month_for_a_weekly_kpi_is_refused_as_in_other_shapes(read):
    data = csv_bytes("指標,2026年1月", "訪問数,30", "売上高,100")
    records, problems = read(data)
    assert located(problems) == [(2, "2026年1月", "month_for_weekly")]
    assert [r.kpi_code for r in records] == ["revenue"]


def test_a_header_meant_as_a_period_says_what_is_wrong_with_it():
    _records, problems = whole(csv_bytes("KPI,2026-01-05,1/12", "visits,1,2"))
    assert [(p.row, p.column, p.code) for p in problems] == [(1, "1/12", "date_without_year")]


@pytest.mark.parametrize(("headers", "shape"), [
    (["KPI", "2026-01-05", "2026-01-12"], "rows"),
    (["", "2026/1/5", "2026/1/12"], "rows"),
    (["指標", "2026年1月", "2026年2月", "合計"], "rows"),
    (["kpi", "period", "value"], "long"),
    (["期間", "売上高", "訪問数"], "wide"),
    (["period", "2026-01-05"], "wide"),  # a period column: wide, as before
    (["KPI", "名前", "単位", "2026-01"], "wide"),  # mostly not periods
    (["KPI", "Total"], "wide"),
])
def test_detection(headers, shape):
    assert detect_shape(headers, KPIS) == shape


def test_a_kpi_named_like_a_date_keeps_the_wide_shape():
    kpis = [KpiRef("m2026", "2026年1月", "Jan 2026")]
    assert detect_shape(["期間", "2026年1月"], kpis) == "wide"
    assert detect_shape(["週", "2026年1月"], kpis) == "wide"
    assert detect_shape(["", "2026年1月", "2026年2月"], kpis) == "wide"
    records, problems = whole(csv_bytes("期間,2026年1月", "2026-01-01,5"), kpis=kpis)
    assert problems == [] and [r.kpi_code for r in records] == ["m2026"]


def test_a_sources_names_map_the_kpi_cells_of_a_report():
    table = read_table(csv_bytes("KPI,2026-01-05", "Sales total,100", "Visitors,7"), "s.csv")
    assert unmapped(table, KPIS) == ["Sales total", "Visitors"]
    rename(table, {"Sales total": "revenue", "Visitors": "visits"}, KPIS)
    assert unmapped(table, KPIS) == []
    records, problems = rows_to_records(table, KPIS)
    assert problems == [] and [r.kpi_code for r in records] == ["revenue", "visits"]
