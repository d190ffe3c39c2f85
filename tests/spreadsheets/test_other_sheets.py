"""A workbook saved with its cover sheet open: the sheet read has no period column, and the
preview names the workbook's other sheets so the person knows what to do."""
import io
from datetime import datetime

import openpyxl
import pytest

from spreadsheets import FileRejected, KpiRef, read_table, rows_to_records

KPIS = [KpiRef("ad_spend", "広告費", "Ad spend", unit="JPY", cadence="weekly")]


def _cover_first(*, hidden_data=False, title_only=False):
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "表紙"
    cover["A1"] = "2026年10月 週次KPIレポート"
    if not title_only:
        cover["A2"] = "作成: 営業企画"
    data = workbook.create_sheet("データ")
    data.append(["期間", "広告費"])
    data.append([datetime(2026, 10, 5), 120000])
    workbook.create_sheet("メモ").sheet_state = "hidden" if hidden_data else "visible"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_other_visible_sheets_are_named_when_the_read_one_has_no_period_column():
    table = read_table(_cover_first(), "report.xlsx")
    assert table.sheet == "表紙" and table.other_sheets == ("データ", "メモ")
    records, problems = rows_to_records(table, KPIS)
    assert records == []
    hint = [p for p in problems if p.code == "read_other_sheet"]
    assert len(hint) == 1
    text = str(hint[0].message)
    assert "“表紙”" in text and "“データ”, “メモ”" in text


def test_hidden_sheets_are_not_offered():
    table = read_table(_cover_first(hidden_data=True), "report.xlsx")
    assert table.other_sheets == ("データ",)


def test_no_hint_when_the_read_sheet_is_right_or_the_file_is_a_csv():
    workbook = openpyxl.Workbook()
    workbook.active.append(["期間", "広告費"])
    workbook.active.append([datetime(2026, 10, 5), 1])
    workbook.create_sheet("メモ")
    out = io.BytesIO()
    workbook.save(out)
    records, problems = rows_to_records(read_table(out.getvalue(), "ok.xlsx"), KPIS)
    assert problems == [] and len(records) == 1
    table = read_table("題名\n2026-10-05\n".encode(), "x.csv")
    assert table.other_sheets == ()
    _records, problems = rows_to_records(table, KPIS)
    assert "read_other_sheet" not in [p.code for p in problems]


def test_a_cover_sheet_with_one_line_is_refused_with_the_same_hint():
    with pytest.raises(FileRejected) as refused:
        read_table(_cover_first(title_only=True), "report.xlsx")
    assert refused.value.codes == ["header_only", "read_other_sheet"]
    assert "“データ”" in str(refused.value.problems[1].message)
