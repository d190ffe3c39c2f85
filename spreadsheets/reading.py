"""Read an uploaded CSV or XLSX file into a header and rows, refusing unsafe or unreadable files.

Nothing here raises anything but `FileRejected` for bad input: every decoding, zip or
spreadsheet error is turned into a `Problem` the user can read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from spreadsheets.i18n import gettext_lazy as _

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_ROWS = 200_000
MAX_LINE_BYTES = 64 * 1024
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_UNCOMPRESSED = 100 * MB
ZIP_MAX_RATIO = 100
# Only entries that inflate to something sizeable can hurt us; tiny XML parts (styles,
# content types) may legitimately compress better than 100:1.
ZIP_RATIO_MIN_SIZE = 1 * MB

CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
DELIMITERS = ",\t;"
SNIFF_LINES = 20

# Signatures of files people upload by mistake.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_ZIP_MAGIC = b"PK\x03\x04"


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


def _reject(code: str, message: Text, *, row: int | None = None) -> FileRejected:
    return FileRejected([Problem(row=row, column=None, message=message, code=code)])


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

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def column_label(self, index: int) -> str:
        """The header text of a column, or its letter when the header is blank."""
        header = self.headers[index] if index < len(self.headers) else ""
        return header or column_letter(index)


def read_table(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_line_bytes: int = MAX_LINE_BYTES,
    encoding: str | None = None,
) -> Table:
    """Read a CSV or XLSX upload into a Table, or raise FileRejected saying why it can't be."""
    if len(data) > max_bytes:
        raise _reject(
            "file_too_large",
            Text(
                _("The file is %(size)s MB; the limit is %(limit)s MB."),
                size=f"{len(data) / MB:.1f}",
                limit=f"{max_bytes / MB:g}",
            ),
        )
    if not data.strip(b" \t\r\n\x00") or data in (codecs.BOM_UTF8,):
        raise _reject("empty_file", Text(_("The file is empty.")))

    name = filename.lower()
    if data.startswith(_OLE_MAGIC):
        raise _reject(
            "xls_unsupported",
            Text(_("Old .xls workbooks are not supported: save the file as .xlsx or CSV.")),
        )
    if name.endswith(XLSX_EXTENSIONS) or data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_rows=max_rows)
    if data.startswith(_BINARY_MAGIC):
        raise _not_spreadsheet()
    return _read_csv(data, max_rows=max_rows, max_line_bytes=max_line_bytes, encoding=encoding)


def _not_spreadsheet() -> FileRejected:
    return _reject(
        "not_spreadsheet",
        Text(_("This is not a spreadsheet: upload a CSV or an .xlsx file.")),
    )


# ---------------------------------------------------------------- CSV


def _read_csv(data: bytes, *, max_rows: int, max_line_bytes: int, encoding: str | None) -> Table:
    # Check line lengths on the raw bytes, before the csv module ever sees a huge line.
    lines = data.splitlines()
    for number, line in enumerate(lines, start=1):
        if len(line) > max_line_bytes:
            raise _reject(
                "line_too_long",
                Text(
                    _("Line %(line)s is longer than %(limit)s KB; is this really a CSV file?"),
                    line=number,
                    limit=max_line_bytes // 1024,
                ),
                row=number,
            )

    text, used = _decode(data, lines, encoding)
    text = text.removeprefix("\ufeff")

    delimiter, text = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw_rows: list[tuple[int, list[Cell]]] = []
    data_rows = 0
    try:
        for number, cells in enumerate(reader, start=1):
            row = [cell.strip() or None for cell in cells]
            while row and row[-1] is None:
                row.pop()
            if not row:
                continue
            raw_rows.append((number, row))
            data_rows += 1
            if data_rows > max_rows + 1:
                raise _too_many_rows(max_rows)
    except csv.Error as error:
        raise _reject(
            "csv_malformed",
            Text(
                _("The CSV cannot be read near line %(line)s (%(error)s)."),
                line=reader.line_num,
                error=str(error),
            ),
            row=reader.line_num,
        ) from None
    return _build_table(raw_rows, [], encoding=used, fmt="csv")


def _too_many_rows(max_rows: int) -> FileRejected:
    return _reject(
        "too_many_rows",
        Text(_("The file has more than %(limit)s rows; split it."), limit=f"{max_rows:,}"),
    )


def _decode(data: bytes, lines: list[bytes], encoding: str | None) -> tuple[str, str]:
    """Decode strictly: the encoding asked for, else UTF-8, else Shift_JIS (cp932)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _reject(
                "unknown_encoding",
                Text(_("Unknown character encoding “%(encoding)s”."), encoding=encoding),
            ) from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise _reject(
                "bad_encoding",
                Text(
                    _("Line %(line)s cannot be read as %(encoding)s."),
                    line=line,
                    encoding=encoding,
                ),
                row=line,
            ) from None

    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            line = _first_line_failing(lines, "utf-8", skip_bom=True)
            raise _mixed(line) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise _reject(
            "bad_encoding",
            Text(_("The file looks like UTF-16 or binary data. In Excel, save it as “CSV UTF-8”.")),
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    # Not UTF-8 as a whole. Japanese UTF-8 usually also "decodes" as cp932 (into nonsense),
    # so look line by line for a file that mixes the two before trusting cp932.
    first_utf8 = first_cp932 = None
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            first_utf8 = first_utf8 or number
        except UnicodeDecodeError:
            first_cp932 = first_cp932 or number
        if first_utf8 and first_cp932:
            raise _mixed(max(first_utf8, first_cp932))
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        if _decodes(data, "euc_jp"):
            raise _euc_jp() from None
        raise _mixed(_first_line_failing(lines, "cp932")) from None
    if _looks_like_euc_jp(lines):
        raise _euc_jp()
    return text, "cp932"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _euc_jp() -> FileRejected:
    return _reject(
        "bad_encoding",
        Text(
            _(
                "The file seems to be in EUC-JP, which is not supported. "
                "Save it as “CSV UTF-8” or Shift_JIS CSV."
            )
        ),
    )


def _first_line_failing(lines: list[bytes], encoding: str, *, skip_bom: bool = False) -> int:
    for number, line in enumerate(lines, start=1):
        if skip_bom and number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            return number
    return 1  # a multi-byte character cut by a line break; blame the start


def _mixed(line: int) -> FileRejected:
    return _reject(
        "mixed_encoding",
        Text(
            _(
                "Mixed or unknown character encoding, line %(line)s. "
                "Save the whole file again as “CSV UTF-8”."
            ),
            line=line,
        ),
        row=line,
    )


def _japanese_share(text: str) -> float:
    """Share of non-ASCII characters that are ordinary Japanese (kana, kanji, full-width)."""
    foreign = [c for c in text if ord(c) > 127]
    if not foreign:
        return 1.0
    usual = sum(
        1
        for c in foreign
        if "\u3000" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or "\uff01" <= c <= "\uff5e"
    )
    return usual / len(foreign)


def _looks_like_euc_jp(lines: list[bytes]) -> bool:
    sample = b"\n".join([line for line in lines if not line.isascii()][:200])
    try:
        as_euc = sample.decode("euc_jp")
    except UnicodeDecodeError:
        return False
    as_cp932 = sample.decode("cp932")
    return _japanese_share(as_euc) > _japanese_share(as_cp932)


_SEP_HINT = re.compile(r"sep=(.)\r?\n")


def _delimiter(text: str) -> tuple[str, str]:
    """Pick the delimiter (honouring Excel's `sep=` line), returning it and the remaining text."""
    hint = _SEP_HINT.match(text)
    if hint:
        return hint.group(1), text[hint.end() :]
    sample_end = 0
    for _line in range(SNIFF_LINES):
        next_end = text.find("\n", sample_end)
        if next_end == -1:
            sample_end = len(text)
            break
        sample_end = next_end + 1
    sample = text[:sample_end]
    header = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    if delimiter not in header:
        present = [d for d in DELIMITERS if d in header]
        delimiter = present[0] if len(present) == 1 else ","
    return delimiter, text


# ---------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes, *, max_rows: int) -> Table:
    _check_zip(data)
    # openpyxl is imported late: CSV-only uses never pay for it.
    import openpyxl

    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                raw_rows, sheet_path, sheet_index, sheet_name = _xlsx_rows(workbook, max_rows)
            finally:
                workbook.close()
            if sheet_path and _has_formulas(data, sheet_path):
                problems = _formulas_without_value(data, raw_rows, sheet_index)
    except FileRejected:
        raise
    except Exception:  # noqa: BLE001 - any failure of a malformed workbook is the file's fault
        raise _reject(
            "xlsx_unreadable",
            Text(_("The .xlsx file is damaged or not a real Excel workbook; save it again.")),
        ) from None
    table = _build_table(raw_rows, problems, encoding=None, fmt="xlsx")
    table.sheet = sheet_name
    return table


def _check_zip(data: bytes) -> None:
    """Refuse non-zips and zip bombs from the central directory alone, before inflating anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except Exception:  # noqa: BLE001 - zipfile raises several types for garbage
        if data.startswith(_ZIP_MAGIC):
            raise _reject(
                "xlsx_unreadable",
                Text(_("The .xlsx file is truncated or damaged; save it again.")),
            ) from None
        raise _not_spreadsheet() from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise _reject(
            "zip_too_many_entries",
            Text(
                _("The workbook contains %(count)s parts; more than %(limit)s is refused."),
                count=len(entries),
                limit=ZIP_MAX_ENTRIES,
            ),
        )
    total = sum(entry.file_size for entry in entries)
    if total > ZIP_MAX_UNCOMPRESSED:
        raise _reject(
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
            raise _reject(
                "zip_bomb",
                Text(
                    _(
                        "The workbook is compressed suspiciously well (%(ratio)s:1) "
                        "and was refused for safety."
                    ),
                    ratio=int(ratio),
                ),
            )


def _visible_sheet_index(workbook: Any) -> int:
    """The sheet a person sees on opening the file: the active one, else the first visible."""
    sheets = workbook.worksheets
    if not sheets:
        raise _reject("empty_file", Text(_("The workbook has no worksheet.")))
    visible = [i for i, s in enumerate(sheets) if getattr(s, "sheet_state", "visible") == "visible"]
    if not visible:
        raise _reject("no_visible_sheet", Text(_("Every worksheet of the workbook is hidden.")))
    active = workbook.active
    for index in visible:
        if sheets[index] is active:
            return index
    return visible[0]


def _xlsx_rows(workbook: Any, max_rows: int) -> tuple[list, str | None, int, str]:
    index = _visible_sheet_index(workbook)
    sheet = workbook.worksheets[index]
    # Some writers store a wrong <dimension>; without this openpyxl would cut rows short.
    sheet.reset_dimensions()
    raw_rows: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        row = [_xlsx_value(cell) for cell in cells]
        while row and row[-1] is None:
            row.pop()
        if not row:
            continue
        raw_rows.append((number, row))
        if len(raw_rows) > max_rows + 1:
            raise _too_many_rows(max_rows)
    return raw_rows, getattr(sheet, "_worksheet_path", None), index, sheet.title


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


def _has_formulas(data: bytes, sheet_path: str) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _FORMULA_TAG.search(archive.read(sheet_path.lstrip("/"))) is not None


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


# ---------------------------------------------------------------- both


def _build_table(
    raw_rows: list[tuple[int, list[Cell]]],
    problems: list[Problem],
    *,
    encoding: str | None,
    fmt: str,
) -> Table:
    if not raw_rows:
        if problems:
            raise FileRejected(problems)
        raise _reject("empty_file", Text(_("The file is empty.")))
    header_row, header_cells = raw_rows[0]
    body = raw_rows[1:]
    if not body:
        if problems:
            raise FileRejected(problems)
        raise _reject(
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
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell).strip().lstrip("\ufeff").strip()


def _letter_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1
