"""Read an uploaded CSV or XLSX file into a header and rows, refusing unsafe or unreadable files.

Nothing here raises anything but `FileRejected` for bad input: every decoding, zip or
spreadsheet error is turned into a `Problem` the user can read. The CSV side (encodings,
delimiters) is ``spreadsheets.csv_files``, the XLSX side (zip guards) ``spreadsheets.xlsx_files``.
"""

from __future__ import annotations

import codecs

from spreadsheets.csv_files import MAX_LINE_BYTES, read_csv
from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import (
    MAX_BYTES,
    MAX_ROWS,
    MB,
    FileRejected,
    Problem,
    Table,
    Text,
    column_letter,
    not_spreadsheet,
    reject,
)
from spreadsheets.xlsx_files import XLSX_EXTENSIONS, ZIP_MAGIC, read_xlsx

__all__ = ["FileRejected", "Problem", "Table", "Text", "column_letter", "read_table"]

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
        raise reject(
            "file_too_large",
            Text(
                _("The file is %(size)s MB; the limit is %(limit)s MB."),
                size=f"{len(data) / MB:.1f}",
                limit=f"{max_bytes / MB:g}",
            ),
        )
    if not data.strip(b" \t\r\n\x00") or data in (codecs.BOM_UTF8,):
        raise reject("empty_file", Text(_("The file is empty.")))

    name = filename.lower()
    if data.startswith(_OLE_MAGIC):
        raise reject(
            "xls_unsupported",
            Text(_("Old .xls workbooks are not supported: save the file as .xlsx or CSV.")),
        )
    if name.endswith(XLSX_EXTENSIONS) or data.startswith(ZIP_MAGIC):
        return read_xlsx(data, max_rows=max_rows)
    if data.startswith(_BINARY_MAGIC):
        raise not_spreadsheet()
    return read_csv(data, max_rows=max_rows, max_line_bytes=max_line_bytes, encoding=encoding)
