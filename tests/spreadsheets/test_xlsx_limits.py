"""XLSX limits: too many sheets, too many cells in the sheet that is read (counted in its XML
before openpyxl parses a row) or a row too wide are refused with the sheet and row named; a
hidden sheet's size does not count, since only the visible, active sheet is read."""
import io

import openpyxl
import pytest

from spreadsheets import read_table, xlsx_files
from spreadsheets.table import FileRejected


def _workbook(sheets):
    """sheets: [(title, rows, columns, hidden)]; the last visible one is active."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows, columns, hidden in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(["期間"] + [f"k{c}" for c in range(1, columns)])
        for r in range(1, rows):
            sheet.append([f"2026-03-{(r % 28) + 1:02d}"] + [r * c for c in range(1, columns)])
        if hidden:
            sheet.sheet_state = "hidden"
    workbook.active = max(i for i, s in enumerate(sheets) if not s[3])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _refusal(data):
    with pytest.raises(FileRejected) as refused:
        read_table(data, "w.xlsx")
    (problem,) = refused.value.problems
    return problem


def test_cells_are_counted_in_the_sheet_xml_exactly():
    data = _workbook([("Numbers", 20, 10, False)])
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    path = workbook.worksheets[0]._worksheet_path
    workbook.close()
    assert xlsx_files._count_cells(data, path, stop_after=10**6) == 200
    assert xlsx_files._count_cells(data, path, stop_after=50) <= 200


def test_a_sheet_with_too_many_cells_is_refused_before_any_row_is_parsed(monkeypatch):
    monkeypatch.setattr(xlsx_files, "MAX_CELLS", 100)

    def parse(*args, **kwargs):
        raise AssertionError("rows parsed although the sheet is over the limit")

    monkeypatch.setattr(xlsx_files, "_xlsx_rows", parse)
    problem = _refusal(_workbook([("Numbers", 20, 10, False)]))
    assert problem.code == "too_many_cells"
    assert "Numbers" in str(problem.message) and "100" in str(problem.message)


def test_a_large_hidden_sheet_does_not_count_only_the_visible_one_is_read(monkeypatch):
    monkeypatch.setattr(xlsx_files, "MAX_CELLS", 100)
    table = read_table(_workbook([("Old", 50, 10, True), ("This week", 3, 2, False)]),
                       "w.xlsx")
    assert table.sheet == "This week" and len(table.rows) == 2


def test_a_row_wider_than_the_column_limit_is_refused_with_its_row():
    data = _workbook([("Wide", 3, xlsx_files.MAX_COLUMNS + 1, False)])
    problem = _refusal(data)
    assert problem.code == "too_many_columns" and problem.row == 1
    assert "Wide" in str(problem.message)


def test_too_many_sheets_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx_files, "MAX_SHEETS", 2)
    problem = _refusal(_workbook([(f"S{i}", 2, 2, False) for i in range(3)]))
    assert problem.code == "too_many_sheets" and "3" in str(problem.message)
