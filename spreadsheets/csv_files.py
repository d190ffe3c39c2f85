"""Read a CSV (or TSV) upload: strict Japanese-aware encodings, line limits, the delimiter."""

from __future__ import annotations

import codecs
import csv
import io
import re

from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import (
    Cell,
    FileRejected,
    Table,
    Text,
    build_table,
    reject,
    too_many_rows,
)

MAX_LINE_BYTES = 64 * 1024
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
DELIMITERS = ",\t;"
SNIFF_LINES = 20


def read_csv(data: bytes, *, max_rows: int, max_line_bytes: int, encoding: str | None) -> Table:
    # Check line lengths on the raw bytes, before the csv module ever sees a huge line.
    lines = data.splitlines()
    for number, line in enumerate(lines, start=1):
        if len(line) > max_line_bytes:
            raise reject(
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
                raise too_many_rows(max_rows)
    except csv.Error as error:
        raise reject(
            "csv_malformed",
            Text(
                _("The CSV cannot be read near line %(line)s (%(error)s)."),
                line=reader.line_num,
                error=str(error),
            ),
            row=reader.line_num,
        ) from None
    return build_table(raw_rows, [], encoding=used, fmt="csv")


def _decode(data: bytes, lines: list[bytes], encoding: str | None) -> tuple[str, str]:
    """Decode strictly: the encoding asked for, else UTF-8, else Shift_JIS (cp932)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise reject(
                "unknown_encoding",
                Text(_("Unknown character encoding “%(encoding)s”."), encoding=encoding),
            ) from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise reject(
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
        raise reject(
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
    return reject(
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
    return reject(
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
