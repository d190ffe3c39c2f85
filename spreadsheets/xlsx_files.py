"""Read an XLSX upload: zip-bomb guards first, then the values (never formulas) of the sheet a
person sees on opening it (the active one, if visible; ``Table.sheet`` names it).

Limits keep a small file from costing minutes of parsing: at most ``MAX_SHEETS`` worksheets,
and the read sheet's cells are counted in its XML (a byte scan, stopping at the limit) before
openpyxl parses anything — at most ``MAX_CELLS`` cells, and no row wider than
``MAX_COLUMNS`` columns."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from decimal import Decimal
from typing import Any

from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import (
    MB,
    Cell,
    FileRejected,
    Problem,
    Table,
    Text,
    build_table,
    column_letter,
    not_spreadsheet,
    other_sheets_problem,
    reject,
    too_many_rows,
)

XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_UNCOMPRESSED = 100 * MB
ZIP_MAX_RATIO = 100
# Only entries that inflate to something sizeable can hurt us; tiny XML parts (styles,
# content types) may legitimately compress better than 100:1.
ZIP_RATIO_MIN_SIZE = 1 * MB
MAX_SHEETS = 200
# 50,000 rows × 20 columns; a 185 × 16,384 sheet (3 M cells) took 218 s to parse.
MAX_CELLS = 1_000_000
MAX_COLUMNS = 1_000
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CHUNK = 1 * MB


def read_xlsx(data: bytes, *, max_rows: int) -> Table:
    _check_zip(data)
    # openpyxl is imported late: CSV-only uses never pay for it.
    import openpyxl

    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                _check_sheets(workbook, data)
                raw_rows, sheet_path, sheet_index, sheet_name = _xlsx_rows(workbook, max_rows)
                others = other_visible_sheets(workbook, sheet_index)
            finally:
                workbook.close()
            if sheet_path and _has_formulas(data, sheet_path):
                problems = _formulas_without_value(data, raw_rows, sheet_index)
    except FileRejected:
        raise
    except Exception:  # noqa: BLE001 - any failure of a malformed workbook is the file's fault
        raise reject(
            "xlsx_unreadable",
            Text(_("The .xlsx file is damaged or not a real Excel workbook; save it again.")),
        ) from None
    try:
        table = build_table(raw_rows, problems, encoding=None, fmt="xlsx")
    except FileRejected as rejected:
        # A cover sheet open on saving reads as empty or header-only: say where the data may be.
        if others and rejected.codes[0] in ("empty_file", "header_only"):
            rejected.problems.append(other_sheets_problem(sheet_name, others, None))
        raise
    table.sheet, table.other_sheets = sheet_name, others
    return table


def _zip_source(data: Any) -> Any:
    """The workbook's bytes, or the path of a file holding them (``spreadsheets.xlsx_stream``)."""
    if isinstance(data, str):  # a path
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _starts_with(data: Any, magic: bytes) -> bool:
    if isinstance(data, str):
        with open(data, "rb") as file:
            return file.read(len(magic)) == magic
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data[:len(magic)]) == magic
    data.seek(0)
    return data.read(len(magic)) == magic


def _check_zip(data: Any) -> None:
    """Refuse non-zips and zip bombs from the central directory alone, before inflating anything."""
    try:
        with zipfile.ZipFile(_zip_source(data)) as archive:
            entries = archive.infolist()
    except Exception:  # noqa: BLE001 - zipfile raises several types for garbage
        if _starts_with(data, ZIP_MAGIC):
            raise reject(
                "xlsx_unreadable",
                Text(_("The .xlsx file is truncated or damaged; save it again.")),
            ) from None
        raise not_spreadsheet() from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise reject(
            "zip_too_many_entries",
            Text(
                _("The workbook contains %(count)s parts; more than %(limit)s is refused."),
                count=len(entries),
                limit=ZIP_MAX_ENTRIES,
            ),
        )
    total = sum(entry.file_size for entry in entries)
    if total > ZIP_MAX_UNCOMPRESSED:
        raise reject(
            "zip_too_large",
            Text(
                _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB."),
                size=total // MB,
                limit=ZIP_MAX_UNCOMPRESSED // MB,
            ),
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > ZIP_RATIO_MIN_SIZE and ratio > ZIP_MAX_RATIO:
            raise reject(
                "zip_bomb",
                Text(
                    _(
                        "The workbook is compressed suspiciously well (%(ratio)s:1) "
                        "and was refused for safety."
                    ),
                    ratio=int(ratio),
                ),
            )


def _check_sheets(workbook: Any, data: Any) -> None:
    """Refuse too many sheets, or a read sheet with too many cells, before parsing a row."""
    if len(workbook.worksheets) > MAX_SHEETS:
        raise reject("too_many_sheets", Text(
            _("The workbook has %(count)s sheets; more than %(limit)s is refused."),
            count=len(workbook.worksheets), limit=MAX_SHEETS))
    sheet = workbook.worksheets[_visible_sheet_index(workbook)]
    path = getattr(sheet, "_worksheet_path", None)
    if path and _count_cells(data, path, stop_after=MAX_CELLS) > MAX_CELLS:
        raise reject("too_many_cells", Text(
            _("The sheet “%(sheet)s” has more than %(limit)s cells; keep only the rows and "
              "columns to import (or split the file)."),
            sheet=sheet.title, limit=f"{MAX_CELLS:,}"))


def _count_cells(data: Any, sheet_path: str, *, stop_after: int) -> int:
    """Cells (``<c …>`` tags) in a sheet's XML, streamed; stops once past ``stop_after``."""
    count, tail = 0, b""
    with zipfile.ZipFile(_zip_source(data)) as archive, \
            archive.open(sheet_path.lstrip("/")) as xml:
        while count <= stop_after:
            chunk = xml.read(_CHUNK)
            if not chunk:
                break
            # A tag cut by the chunk boundary is found in the next window; never counted twice.
            window = tail + chunk
            cut = max(0, len(window) - 16)
            count += sum(1 for match in _CELL_TAG.finditer(window) if match.start() < cut)
            tail = window[cut:]
        count += sum(1 for _match in _CELL_TAG.finditer(tail))
    return count


def _visible_sheet_index(workbook: Any) -> int:
    """The sheet a person sees on opening the file: the active one, else the first visible."""
    sheets = workbook.worksheets
    if not sheets:
        raise reject("empty_file", Text(_("The workbook has no worksheet.")))
    visible = [i for i, s in enumerate(sheets) if getattr(s, "sheet_state", "visible") == "visible"]
    if not visible:
        raise reject("no_visible_sheet", Text(_("Every worksheet of the workbook is hidden.")))
    active = workbook.active
    for index in visible:
        if sheets[index] is active:
            return index
    return visible[0]


def other_visible_sheets(workbook: Any, read_index: int) -> tuple[str, ...]:
    """The titles of the visible sheets besides the one read, in the workbook's order."""
    return tuple(sheet.title for index, sheet in enumerate(workbook.worksheets)
                 if index != read_index
                 and getattr(sheet, "sheet_state", "visible") == "visible")


def _xlsx_rows(workbook: Any, max_rows: int) -> tuple[list, str | None, int, str]:
    index = _visible_sheet_index(workbook)
    sheet = workbook.worksheets[index]
    # Some writers store a wrong <dimension>; without this openpyxl would cut rows short.
    sheet.reset_dimensions()
    raw_rows: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        row = sheet_row(number, cells, sheet.title)
        if row is None:
            continue
        raw_rows.append((number, row))
        if len(raw_rows) > max_rows + 1:
            raise too_many_rows(max_rows)
    return raw_rows, getattr(sheet, "_worksheet_path", None), index, sheet.title


def sheet_row(number: int, cells, sheet_title: str) -> list[Cell] | None:
    """Row ``number``'s values without trailing blanks; None for an empty row. Refuses a
    row wider than MAX_COLUMNS (both the whole-file and the streamed reader use this)."""
    row = [_xlsx_value(cell) for cell in cells]
    while row and row[-1] is None:
        row.pop()
    if not row:
        return None
    if len(row) > MAX_COLUMNS:
        raise reject("too_many_columns", Text(
            _("Row %(row)s of the sheet “%(sheet)s” has values in %(count)s columns; at most "
              "%(limit)s are read."), row=number, sheet=sheet_title, count=len(row),
            limit=f"{MAX_COLUMNS:,}"), row=number)
    return row


def _xlsx_value(cell: Any) -> Cell:
    value = cell.value
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number_format = cell.number_format or ""
        if "%" in number_format:
            # Excel stores 12.5 % as 0.125; keep what the person saw and typed.
            percent = (Decimal(repr(value)) * 100).normalize()
            return f"{percent:f}%"
    return value


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: Any, sheet_path: str) -> bool:
    """Whether the sheet's XML has a formula (``<f>``), read a block at a time."""
    tail = b""
    with zipfile.ZipFile(_zip_source(data)) as archive, \
            archive.open(sheet_path.lstrip("/")) as xml:
        while chunk := xml.read(_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _formulas_without_value(data: bytes, raw_rows: list[tuple[int, list[Cell]]],
                            sheet_index: int = 0) -> list[Problem]:
    """Formula cells that carry no saved result (e.g. written by a script, never opened in Excel)."""
    import openpyxl

    values = dict(raw_rows)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    problems = []
    try:
        sheet = workbook.worksheets[sheet_index]
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            row = values.get(number, [])
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) != "f":
                    continue
                if index < len(row) and row[index] is not None:
                    continue
                problems.append(
                    Problem(
                        row=number,
                        column=column_letter(index),
                        message=Text(
                            _(
                                "The formula %(formula)s has no saved value: open the file in "
                                "Excel and save it, or paste values."
                            ),
                            formula=str(cell.value),
                        ),
                        code="formula_without_value",
                    )
                )
    finally:
        workbook.close()
    return problems
