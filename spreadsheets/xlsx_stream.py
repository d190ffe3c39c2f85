"""Read an XLSX upload row by row (openpyxl read-only) for ``spreadsheets.streaming``.

The same guards and problems as ``spreadsheets.xlsx_files.read_xlsx`` — zip bombs, sheet and
cell limits, formulas with no saved value — but the rows are yielded as they are parsed
instead of being collected, so memory does not grow with the sheet.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import IO, Any

from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import (
    FileRejected,
    Problem,
    Text,
    _header_text,
    _letter_index,
    column_letter,
    other_sheets_problem,
    reject,
    skip_title_rows,
    too_many_rows,
)
from spreadsheets.xlsx_files import (
    _check_sheets,
    _check_zip,
    _has_formulas,
    _visible_sheet_index,
    _xlsx_value,
    other_visible_sheets,
    sheet_row,
)

MAX_FORMULA_PROBLEMS = 1_000


def _unreadable() -> FileRejected:
    return reject("xlsx_unreadable", Text(
        _("The .xlsx file is damaged or not a real Excel workbook; save it again.")))


class XlsxStream:
    """A spooled workbook (a named temporary file, closed once its rows are read)."""

    def __init__(self, spool: IO[bytes], max_rows: int) -> None:
        self.spool = spool
        self.path = spool.name
        self.max_rows = max_rows
        self.workbooks: list[Any] = []

    def close(self) -> None:
        for workbook in self.workbooks:
            workbook.close()
        self.workbooks = []
        self.spool.close()

    def _open(self, *, data_only: bool) -> Any:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=data_only)
        self.workbooks.append(workbook)
        return workbook

    def table(self, table_class: Any) -> Any:
        others: tuple[str, ...] = ()
        try:
            _check_zip(self.path)
            workbook = self._open(data_only=True)
            _check_sheets(workbook, self.path)
            index = _visible_sheet_index(workbook)
            sheet = workbook.worksheets[index]
            sheet.reset_dimensions()
            path = getattr(sheet, "_worksheet_path", None)
            others = other_visible_sheets(workbook, index)
            rows = skip_title_rows(self._rows(sheet))
            header = next(rows, None)
            if header is None:
                raise reject("empty_file", Text(_("The file is empty.")))
            first = next(rows, None)
            if first is None:
                raise reject("header_only", Text(
                    _("The file has a header row but no data under it.")), row=header[0])
            headers = [_header_text(cell) for cell in header[1]]
            problems = []
            if path and _has_formulas(self.path, path):
                problems = self._formulas_without_value(index, headers, header[0])
        except FileRejected as rejected:
            self.close()
            if others and rejected.codes[0] in ("empty_file", "header_only"):
                rejected.problems.append(other_sheets_problem(sheet.title, others, None))
            raise
        except Exception:  # noqa: BLE001 - any failure of a malformed workbook is the file's fault
            self.close()
            raise _unreadable() from None
        return table_class(headers=headers, encoding=None, format="xlsx",
                           header_row=header[0], rows=itertools.chain([first], rows),
                           problems=problems, sheet=sheet.title, other_sheets=others)

    def _rows(self, sheet: Any) -> Iterator[tuple[int, list[Any]]]:
        count = 0
        try:
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                row = sheet_row(number, cells, sheet.title)
                if row is None:
                    continue
                count += 1
                if count > self.max_rows + 1:
                    raise too_many_rows(self.max_rows)
                yield number, row
        except FileRejected:
            raise
        except Exception:  # noqa: BLE001 - a malformed sheet is the file's fault
            raise _unreadable() from None
        finally:
            self.close()

    def _formulas_without_value(self, sheet_index: int, headers: list[str],
                                header_row: int) -> list[Problem]:
        """Formula cells with no saved result, reading values and formulas side by side."""
        values = self._open(data_only=True).worksheets[sheet_index]
        formulas = self._open(data_only=False).worksheets[sheet_index]
        values.reset_dimensions()
        formulas.reset_dimensions()
        problems: list[Problem] = []
        pairs = itertools.zip_longest(formulas.iter_rows(), values.iter_rows(), fillvalue=())
        for number, (formula_cells, value_cells) in enumerate(pairs, start=1):
            for index, cell in enumerate(formula_cells):
                if getattr(cell, "data_type", None) != "f":
                    continue
                if index < len(value_cells) and _xlsx_value(value_cells[index]) is not None:
                    continue
                column = column_letter(index)
                if number != header_row:
                    at = _letter_index(column)
                    if at < len(headers) and headers[at]:
                        column = headers[at]
                problems.append(Problem(row=number, column=column, code="formula_without_value",
                                        message=Text(_(
                                            "The formula %(formula)s has no saved value: open "
                                            "the file in Excel and save it, or paste values."),
                                            formula=str(cell.value))))
                if len(problems) >= MAX_FORMULA_PROBLEMS:
                    return problems
        return problems
