"""Read an upload as a stream: the header first, then its rows in bounded chunks.

``open_stream(opener, filename, size=…)`` checks the file as ``read_table`` does (size, empty,
.xls, binary, encodings, line lengths, zip bombs) and answers a ``StreamTable`` whose
``chunks(n)`` yields lists of at most ``n`` rows ``(row number, cells)``. Nothing holds the
whole file: ``opener()`` gives a fresh binary stream each time it is called (a CSV is read
twice: once to check its bytes and choose the encoding, once to parse), and an XLSX is
spooled to a temporary file that openpyxl reads in read-only mode. Problems found while
reading (a malformed line, too many rows) raise ``FileRejected`` from ``chunks`` like
``read_table`` raises it, so a caller treats the file as rejected as a whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from spreadsheets import csv_files
from spreadsheets.csv_files import MAX_LINE_BYTES, SNIFF_LINES
from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.reading import _BINARY_MAGIC, _OLE_MAGIC
from spreadsheets.table import (
    MAX_BYTES,
    MAX_ROWS,
    MB,
    FileRejected,
    Problem,
    Text,
    _header_text,
    column_letter,
    not_spreadsheet,
    reject,
    skip_title_rows,
    too_many_rows,
)
from spreadsheets.xlsx_files import XLSX_EXTENSIONS, ZIP_MAGIC
from spreadsheets.xlsx_stream import XlsxStream

BLOCK = 1 * MB
# The delimiter is sniffed from at most this much text at the start (``_delimiter``).
SNIFF_MAX_CHARS = 1 * MB
EUC_SAMPLE_LINES = 200

Opener = Callable[[], IO[bytes]]


@dataclass
class StreamTable:
    """The header of a file being read, and its rows on demand (``chunks``)."""

    headers: list[str]
    encoding: str | None
    format: str
    header_row: int
    rows: Iterator[tuple[int, list[Any]]] = field(repr=False)
    problems: list[Problem] = field(default_factory=list)
    sheet: str | None = None
    other_sheets: tuple[str, ...] = ()
    row_count: int = 0  # the data rows read so far (all of them once ``chunks`` is done)

    def column_label(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        return header or column_letter(index)

    def chunks(self, size: int) -> Iterator[list[tuple[int, list[Any]]]]:
        """Lists of at most ``size`` rows, each padded to the header's width."""
        width = len(self.headers)
        chunk: list[tuple[int, list[Any]]] = []
        for number, row in self.rows:
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            chunk.append((number, row))
            self.row_count += 1
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def open_stream(opener: Opener, filename: str, *, size: int, max_bytes: int = MAX_BYTES,
                max_rows: int = MAX_ROWS, max_line_bytes: int = MAX_LINE_BYTES,
                encoding: str | None = None) -> StreamTable:
    """The file's header and a row stream, or FileRejected (same checks as ``read_table``)."""
    if size > max_bytes:
        raise reject("file_too_large", Text(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            size=f"{size / MB:.1f}", limit=f"{max_bytes / MB:g}"))
    with opener() as stream:
        head = stream.read(8)
    name = filename.lower()
    if head.startswith(_OLE_MAGIC):
        raise reject("xls_unsupported", Text(
            _("Old .xls workbooks are not supported: save the file as .xlsx or CSV.")))
    if name.endswith(XLSX_EXTENSIONS) or head.startswith(ZIP_MAGIC):
        # An all-blank file is "empty" whatever its name (read_table checks that first).
        if _blank(opener):
            raise reject("empty_file", Text(_("The file is empty.")))
        return _xlsx(opener, max_rows)
    if head.startswith(_BINARY_MAGIC):
        raise not_spreadsheet()
    used = _CsvScan(max_line_bytes, encoding).run(opener)
    return _csv(opener, used, max_rows)


def _blocks(opener: Opener) -> Iterator[bytes]:
    with opener() as stream:
        while block := stream.read(BLOCK):
            yield block


def _blank(opener: Opener) -> bool:
    """Only spaces, line breaks and NULs, or a lone UTF-8 BOM (``read_table``'s "empty")."""
    total, first = 0, b""
    for block in _blocks(opener):
        total += len(block)
        first = first or block[:3]
        if block.strip(b" \t\r\n\x00") and not (total == 3 and first == codecs.BOM_UTF8):
            return False
    return True


class _CsvScan:
    """One pass over the bytes, line by line: the checks and the encoding of ``_decode``."""

    def __init__(self, max_line_bytes: int, encoding: str | None) -> None:
        self.max_line_bytes = max_line_bytes
        self.encoding = encoding
        self.number = 0
        self.too_long: int | None = None
        self.nonblank = False
        self.total = 0
        self.first = b""
        self.nul = False
        self.utf8 = True  # every line decodes as UTF-8
        self.first_utf8 = self.first_cp932 = None  # first non-ASCII line of each kind
        self.mixed: int | None = None
        self.cp932_fails: int | None = None  # first line that is no cp932
        self.utf8_fails: int | None = None  # first line that is no UTF-8 (BOM skipped)
        self.euc_jp = True
        self.sample: list[bytes] = []  # non-ASCII lines for the EUC-JP guess
        self.explicit_error: int | None = None
        self.decoder = None
        self.newlines = 0  # b"\n" in the blocks before the current one

    def run(self, opener: Opener) -> str:
        if self.encoding:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise reject("unknown_encoding", Text(
                    _("Unknown character encoding “%(encoding)s”."),
                    encoding=self.encoding)) from None
            self.decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        carry = b""
        for block in _blocks(opener):
            self.total += len(block)
            if not self.first:
                self.first = block[:8]
            if not self.nonblank and block.strip(b" \t\r\n\x00"):
                self.nonblank = True
            self._explicit(block, final=False)
            self.newlines += block.count(b"\n")
            if self.too_long is not None:
                continue  # only blankness matters now
            data = carry + block
            cut = max(data.rfind(b"\n") + 1, data.rfind(b"\r", 0, len(data) - 1) + 1)
            carry = data[cut:]
            self._lines(data[:cut])
            if len(carry) > self.max_line_bytes:
                self.too_long = self.number + 1
        self._explicit(b"", final=True)
        if self.too_long is None and carry:
            self._lines(carry)
        return self._verdict()

    def _explicit(self, block: bytes, *, final: bool) -> None:
        if self.decoder is None or self.explicit_error is not None:
            return
        pending = len(self.decoder.getstate()[0])
        try:
            self.decoder.decode(block, final=final)
        except UnicodeDecodeError as error:
            start = max(error.start - pending, 0)
            self.explicit_error = self.newlines + block.count(b"\n", 0, start) + 1

    def _lines(self, data: bytes) -> None:
        lines = data.splitlines()
        if not lines:
            return
        if max(map(len, lines)) > self.max_line_bytes:
            for offset, line in enumerate(lines, start=1):
                if len(line) > self.max_line_bytes:
                    self.too_long = self.number + offset
                    break
        if b"\x00" in data:
            self.nul = True
        if data.isascii():
            self.number += len(lines)
            return
        for line in lines:
            self.number += 1
            if line.isascii():
                continue
            self._non_ascii(line)

    def _non_ascii(self, line: bytes) -> None:
        number = self.number
        bom_line = line.removeprefix(codecs.BOM_UTF8) if number == 1 else line
        try:
            line.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
            self.utf8 = False
        try:
            bom_line.decode("utf-8")
        except UnicodeDecodeError:
            self.utf8_fails = self.utf8_fails or number
        if utf8:
            self.first_utf8 = self.first_utf8 or number
        else:
            self.first_cp932 = self.first_cp932 or number
        if self.mixed is None and self.first_utf8 and self.first_cp932:
            self.mixed = max(self.first_utf8, self.first_cp932)
        try:
            line.decode("cp932")
        except UnicodeDecodeError:
            self.cp932_fails = self.cp932_fails or number
        if self.euc_jp:
            try:
                line.decode("euc_jp")
            except UnicodeDecodeError:
                self.euc_jp = False
        if len(self.sample) < EUC_SAMPLE_LINES:
            self.sample.append(line)

    def _verdict(self) -> str:
        """The encoding, or the rejection ``read_table`` would raise, in its order."""
        if not self.nonblank or self.first.startswith(codecs.BOM_UTF8) and (
                self.total == len(codecs.BOM_UTF8)):
            raise reject("empty_file", Text(_("The file is empty.")))
        if self.too_long is not None:
            raise reject("line_too_long", Text(
                _("Line %(line)s is longer than %(limit)s KB; is this really a CSV file?"),
                line=self.too_long, limit=self.max_line_bytes // 1024), row=self.too_long)
        if self.encoding:
            if self.explicit_error is not None:
                line = self.explicit_error
                raise reject("bad_encoding", Text(
                    _("Line %(line)s cannot be read as %(encoding)s."),
                    line=line, encoding=self.encoding), row=line)
            return self.encoding
        if self.first.startswith(codecs.BOM_UTF8):
            if self.utf8_fails is not None:
                raise csv_files._mixed(self.utf8_fails)
            return "utf-8-sig"
        if self.first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or self.nul:
            raise reject("bad_encoding", Text(
                _("The file looks like UTF-16 or binary data. In Excel, save it as “CSV UTF-8”.")))
        if self.utf8:
            return "utf-8"
        if self.mixed is not None:
            raise csv_files._mixed(self.mixed)
        if self.cp932_fails is not None:
            if self.euc_jp:
                raise csv_files._euc_jp()
            raise csv_files._mixed(self.cp932_fails)
        if csv_files._looks_like_euc_jp(self.sample):
            raise csv_files._euc_jp()
        return "cp932"


def _csv(opener: Opener, encoding: str, max_rows: int) -> StreamTable:
    stream = opener()
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    head: list[str] = []
    chars = newlines = 0
    while newlines < SNIFF_LINES and chars < SNIFF_MAX_CHARS:
        line = text.readline()
        if not line:
            break
        head.append(line)
        chars += len(line)
        newlines += line.count("\n")
    if head:
        head[0] = head[0].removeprefix("\ufeff")
    delimiter, rest = csv_files._delimiter("".join(head))
    if len(rest) != sum(map(len, head)):  # an Excel "sep=" line was dropped
        head = head[1:]
    reader = csv.reader(_chain(head, text), delimiter=delimiter)
    rows = skip_title_rows(_csv_rows(reader, max_rows, text))
    try:
        header_row, header_cells = next(rows)
    except StopIteration:
        text.close()
        raise reject("empty_file", Text(_("The file is empty."))) from None
    first = next(rows, None)
    if first is None:
        text.close()
        raise reject("header_only", Text(_("The file has a header row but no data under it.")),
                     row=header_row)
    return StreamTable(headers=[_header_text(c) for c in header_cells], encoding=encoding,
                       format="csv", header_row=header_row, rows=_prepend(first, rows))


def _chain(head: list[str], text: io.TextIOWrapper) -> Iterator[str]:
    yield from head
    yield from text


def _prepend(first, rows):
    yield first
    yield from rows


def _csv_rows(reader, max_rows: int, text: io.TextIOWrapper) -> Iterator[tuple[int, list]]:
    """Non-empty rows (cells stripped, blank ones None); the header counts as one."""
    count = 0
    try:
        for cells in reader:
            row = [cell.strip() or None for cell in cells]
            while row and row[-1] is None:
                row.pop()
            if not row:
                continue
            count += 1
            if count > max_rows + 1:
                raise too_many_rows(max_rows)
            yield reader.line_num, row
    except csv.Error as error:
        raise reject("csv_malformed", Text(
            _("The CSV cannot be read near line %(line)s (%(error)s)."),
            line=reader.line_num, error=str(error)), row=reader.line_num) from None
    finally:
        text.close()


def _xlsx(opener: Opener, max_rows: int) -> StreamTable:
    # zipfile needs to seek: the workbook is spooled to a temporary file, a block at a time.
    spool = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - XlsxStream closes it
    with opener() as stream:
        shutil.copyfileobj(stream, spool, BLOCK)
    spool.seek(0)
    return XlsxStream(spool, max_rows).table(StreamTable)


__all__ = ["FileRejected", "StreamTable", "open_stream"]
