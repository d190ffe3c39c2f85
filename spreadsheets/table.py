"""What reading a spreadsheet gives: a Table of cells, or Problems with translatable Text.

Shared by the CSV and XLSX readers (``spreadsheets.csv_files``, ``spreadsheets.xlsx_files``);
``spreadsheets.reading.read_table`` is the one entry point.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from spreadsheets.i18n import gettext_lazy as _

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_ROWS = 200_000


class Text:
    """A translatable message with %-style parameters, rendered in the active language by str()."""

    __slots__ = ("params", "template")

    def __init__(self, template: Any, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return str(self.template) % {key: str(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        return f"Text({str(self.template)!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return str(self.template) == str(other.template) and self.params == other.params
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self.template))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the upload, located as precisely as we can (row 1 = header)."""

    row: int | None
    column: str | None
    message: Text
    code: str


class FileRejected(Exception):
    """The file as a whole cannot be read; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.code for p in problems))
        self.problems = problems

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def column_letter(index: int) -> str:
    """Spreadsheet letter for a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


Cell = Any  # str | int | float | Decimal | date | datetime | time | bool | None


@dataclass
class Table:
    """A header row and the non-empty data rows under it, numbered as the spreadsheet shows them."""

    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    encoding: str | None
    format: str
    header_row: int = 1
    problems: list[Problem] = field(default_factory=list)
    sheet: str | None = None  # the worksheet read (xlsx): the active one, if visible
    other_sheets: tuple[str, ...] = ()  # the workbook's other visible sheets, not read

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def column_label(self, index: int) -> str:
        """The header text of a column, or its letter when the header is blank."""
        header = self.headers[index] if index < len(self.headers) else ""
        return header or column_letter(index)


def reject(code: str, message: Text, *, row: int | None = None) -> FileRejected:
    return FileRejected([Problem(row=row, column=None, message=message, code=code)])


def other_sheets_problem(sheet: str | None, others: tuple[str, ...], row: int | None) -> Problem:
    """The sheet read is not the one with the numbers: name the workbook's other sheets."""
    return Problem(row=row, column=None, code="read_other_sheet", message=Text(
        _("Only the sheet “%(sheet)s” was read (the one open when the file was saved); the "
          "workbook also has %(others)s. Open the sheet with the numbers, save, and upload "
          "again."), sheet=sheet, others=", ".join(f"“{name}”" for name in others[:10])))


def not_spreadsheet() -> FileRejected:
    return reject(
        "not_spreadsheet",
        Text(_("This is not a spreadsheet: upload a CSV or an .xlsx file.")),
    )


def too_many_rows(max_rows: int) -> FileRejected:
    return reject(
        "too_many_rows",
        Text(_("The file has more than %(limit)s rows; split it."), limit=f"{max_rows:,}"),
    )


MAX_TITLE_ROWS = 10  # a report's title, date and notes above its table


def skip_title_rows(rows: Iterator[tuple[int, list[Cell]]]) -> Iterator[tuple[int, list[Cell]]]:
    """The rows from the header on: leading rows of one filled cell (a title, a date line)
    are dropped when a row of two or more cells follows within ``MAX_TITLE_ROWS``."""
    held: list[tuple[int, list[Cell]]] = []
    for row in rows:
        held.append(row)
        if len(held) > MAX_TITLE_ROWS or sum(cell is not None for cell in row[1]) >= 2:
            break
    if len(held) > 1 and sum(cell is not None for cell in held[-1][1]) >= 2:
        held = held[-1:]
    return itertools.chain(held, rows)


def build_table(
    raw_rows: list[tuple[int, list[Cell]]],
    problems: list[Problem],
    *,
    encoding: str | None,
    fmt: str,
) -> Table:
    raw_rows = list(skip_title_rows(iter(raw_rows)))
    if not raw_rows:
        if problems:
            raise FileRejected(problems)
        raise reject("empty_file", Text(_("The file is empty.")))
    header_row, header_cells = raw_rows[0]
    body = raw_rows[1:]
    if not body:
        if problems:
            raise FileRejected(problems)
        raise reject(
            "header_only",
            Text(_("The file has a header row but no data under it.")),
            row=header_row,
        )
    width = max(len(header_cells), max(len(row) for _n, row in body))
    headers = [_header_text(cell) for cell in header_cells]
    headers += [""] * (width - len(headers))
    for _n, row in body:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    rows = body
    # Header-only columns with no data at all are dropped from the right.
    while headers and not headers[-1] and all(row[-1] is None for _n, row in rows):
        headers.pop()
        for _n, row in rows:
            row.pop()
    # Column labels for problems found while reading now that headers are known.
    labelled = []
    for problem in problems:
        column = problem.column
        if column is not None and problem.row != header_row:
            index = _letter_index(column)
            if index < len(headers) and headers[index]:
                column = headers[index]
        labelled.append(Problem(problem.row, column, problem.message, problem.code))
    return Table(
        headers=headers,
        rows=rows,
        encoding=encoding,
        format=fmt,
        header_row=header_row,
        problems=labelled,
    )


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    # An xlsx date cell over a column of periods (a report's header) reads as its day.
    if isinstance(cell, datetime) and cell.time() == time():
        return cell.date().isoformat()
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell).strip().lstrip("\ufeff").strip()


def _letter_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1
