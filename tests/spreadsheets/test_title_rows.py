"""A report's title (and a blank line, a date line) above the table: the header is the first
row of two or more cells, the preview says which row that is, and the rows keep their numbers."""
import io
from datetime import date, datetime

import openpyxl
import pytest

from spreadsheets import KpiRef, read_table, rows_to_records
from spreadsheets.streaming import open_stream

KPIS = [KpiRef("ad_spend", "広告費", "Ad spend", unit="JPY", cadence="weekly")]
CSV = "週次KPIレポート\n\n作成日: 2026年10月20日\n期間,広告費\n2026-10-05,100\n2026-10-12,200\n"


def _xlsx():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["週次KPIレポート"])
    sheet.append([])
    sheet.append(["期間", "広告費"])
    sheet.append([datetime(2026, 10, 5), 100])
    sheet.append([datetime(2026, 10, 12), 200])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data,name,header_row", [
    (CSV.encode(), "r.csv", 4), (CSV.encode("cp932"), "r.csv", 4), (_xlsx(), "r.xlsx", 3)])
def test_title_lines_above_the_header_are_skipped(data, name, header_row):
    table = read_table(data, name)
    assert table.header_row == header_row and table.headers == ["期間", "広告費"]
    records, problems = rows_to_records(table, KPIS)
    assert problems == []
    assert [(r.row, r.period_date, r.value) for r in records] == [
        (header_row + 1, date(2026, 10, 5), 100), (header_row + 2, date(2026, 10, 12), 200)]
    streamed = open_stream(lambda: io.BytesIO(data), name, size=len(data))
    assert streamed.header_row == header_row and streamed.headers == ["期間", "広告費"]
    rows = [row for chunk in streamed.chunks(100) for row in chunk]
    assert [number for number, _row in rows] == [header_row + 1, header_row + 2]


def test_a_one_column_file_keeps_its_first_row_as_header():
    table = read_table("期間\n2026-10-05\n".encode(), "one.csv")
    assert table.header_row == 1 and table.headers == ["期間"]
