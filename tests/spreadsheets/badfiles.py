"""Bad uploads, generated in memory: each must be refused with a stable problem code.

The Django import tests reuse `bad_files()` to check that none of them changes the database.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from functools import cache

import openpyxl

from spreadsheets import KpiRef

# The KPI set the bad files are written against (another company's KPIs are unknown here).
KPIS = [
    KpiRef("uu", "ユニークユーザー数", "UU", unit="count", cadence="weekly"),
    KpiRef("cvr", "購入率", "CVR", unit="percent", cadence="weekly"),
    KpiRef("aov", "平均注文額", "AOV", unit="JPY", cadence="weekly"),
]

WIDE_HEADER = "期間,UU,CVR,AOV"
LONG_HEADER = "kpi,period,value"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)


def xlsx_bytes(*rows: list) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A real xlsx whose sheet inflates 1000:1 (8 MB of padding in ~8 KB)."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes(["期間", "UU"], ["2026-01-05", 1])))
    entries = {info.filename: good.read(info) for info in good.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    entries[sheet] = entries[sheet].replace(
        b"</worksheet>", b" " * (8 * 1024 * 1024) + b"</worksheet>"
    )
    return zip_bytes(entries)


def zip_too_big() -> bytes:
    # 101 parts just under 1 MiB: no single part is large, the total is over 100 MiB.
    part = bytes(1_040_000)
    return zip_bytes({f"xl/media/pad{i}.bin": part for i in range(101)}, level=1)


def zip_many_entries() -> bytes:
    return zip_bytes({f"xl/part{i}.xml": b"<x/>" for i in range(1_001)})


def wide(*rows: str, encoding: str = "utf-8") -> bytes:
    return csv_bytes(WIDE_HEADER, *rows, encoding=encoding)


def long(*rows: str) -> bytes:
    return csv_bytes(LONG_HEADER, *rows)


def bad_date(text: str) -> bytes:
    return wide(f"{text},1000,2.0,3450")


@cache
def bad_files() -> list[tuple[str, str, bytes, str]]:
    """(name, filename, data, expected problem code) for every kind of bad upload we know."""
    good_xlsx = xlsx_bytes(["期間", "UU", "CVR", "AOV"], ["2026-01-05", 1000, 2.0, 3450])
    files = [
        ("empty", "empty.csv", b"", "empty_file"),
        ("blank lines only", "blank.csv", b"\r\n \r\n\t\r\n", "empty_file"),
        ("utf-8 bom only", "bom.csv", codecs.BOM_UTF8, "empty_file"),
        ("commas only", "commas.csv", b",,,\r\n,,,\r\n", "empty_file"),
        ("header only", "header.csv", csv_bytes(WIDE_HEADER), "header_only"),
        ("header only xlsx", "header.xlsx", xlsx_bytes(["期間", "UU"]), "header_only"),
        ("empty xlsx", "empty.xlsx", xlsx_bytes(), "empty_file"),
        (
            "utf-16 with bom",
            "utf16.csv",
            codecs.BOM_UTF16_LE + "期間,UU\r\n2026-01-05,1\r\n".encode("utf-16-le"),
            "bad_encoding",
        ),
        (
            "utf-16 without bom",
            "utf16.csv",
            "期間,UU\r\n2026-01-05,1\r\n".encode("utf-16-le"),
            "bad_encoding",
        ),
        ("euc-jp", "euc.csv", wide("2026-01-05,1000,2.0,3450", encoding="euc_jp"), "bad_encoding"),
        (
            "utf-8 then cp932 lines",
            "mixed.csv",
            "期間,ユニークユーザー数\r\n".encode() + "2026-01-05,千\r\n".encode("cp932"),
            "mixed_encoding",
        ),
        (
            "cp932 then utf-8 lines",
            "mixed2.csv",
            "期間,ユニークユーザー数\r\n".encode("cp932") + "2026-01-05,千\r\n".encode(),
            "mixed_encoding",
        ),
        (
            "utf-8 bom then cp932 line",
            "mixed3.csv",
            codecs.BOM_UTF8 + "期間,UU\r\n".encode() + "2026-01-05,千\r\n".encode("cp932"),
            "mixed_encoding",
        ),
        (
            "bytes in no encoding",
            "junk.csv",
            b"period,uu\r\n2026-01-05,\x81\x20\r\n",
            "mixed_encoding",
        ),
        ("nul bytes", "nul.csv", b"period,uu\r\n2026-01-05,1\x00\r\n", "bad_encoding"),
        (
            "a 10 MB line",
            "long_line.csv",
            b"period,uu\r\n" + b"1" * (10 * 1024 * 1024),
            "line_too_long",
        ),
        (
            "over 20 MB",
            "big.csv",
            b"period,uu\r\n" + b"2026-01-05,1\r\n" * 1_700_000,
            "file_too_large",
        ),
        (
            "over 200,000 rows",
            "rows.csv",
            b"period,uu\r\n" + b"2026-01-05,1\n" * 200_001,
            "too_many_rows",
        ),
        (
            "quoted field of 150 KB",
            "quote.csv",
            b'period,uu\r\n2026-01-05,"' + b"x" * 60 + (b"\r\n" + b"x" * 60) * 2_500 + b'"\r\n',
            "csv_malformed",
        ),
        (
            "duplicate rows (wide)",
            "dup.csv",
            wide("2026-01-05,1,2,3", "2026-01-05,4,5,6"),
            "duplicate_row",
        ),
        (
            "duplicate rows (long, code and name)",
            "dup_long.csv",
            long("uu,2026-01-05,1", "UU,2026-01-05,2"),
            "duplicate_row",
        ),
        (
            "two days of one week",
            "dup_week.csv",
            wide("2026-01-05,1,2,3", "2026-01-07,4,5,6"),
            "duplicate_row",
        ),
        (
            "duplicate KPI column",
            "dup_col.csv",
            csv_bytes("期間,uu,UU", "2026-01-05,1,2"),
            "duplicate_column",
        ),
        (
            "unknown KPI column",
            "unknown.csv",
            csv_bytes("期間,UU,PV", "2026-01-05,1,2"),
            "unknown_kpi_column",
        ),
        (
            "another company's KPI code (long)",
            "other.csv",
            long("nrr,2026-01-05,110"),
            "unknown_kpi",
        ),
        (
            "another company's KPI column",
            "other_col.csv",
            csv_bytes("period,uu,arr", "2026-01-05,1,2"),
            "unknown_kpi_column",
        ),
        ("text in a number cell", "text.csv", wide("2026-01-05,abc,2.0,3450"), "not_a_number"),
        ("N/A in a number cell", "na.csv", wide("2026-01-05,N/A,2.0,3450"), "not_a_number"),
        (
            "two decimal points",
            "points.csv",
            wide("2026-01-05,1000,2.0.1,3450"),
            "multiple_decimal_points",
        ),
        (
            "decimal comma",
            "decimal_comma.csv",
            csv_bytes("期間;AOV", "2026-01-05;3450,5"),
            "bad_thousands_separator",
        ),
        ("NaN", "nan.csv", wide("2026-01-05,NaN,2.0,3450"), "not_finite"),
        (
            "16 significant digits",
            "digits.csv",
            wide("2026-01-05,1000,2.0,1234567890123456"),
            "too_many_digits",
        ),
        (
            "formula text in a CSV",
            "formula.csv",
            wide("2026-01-05,=SUM(B2:B3),2.0,3450"),
            "formula",
        ),
        ("date month/day/year", "mdy.csv", bad_date("01/05/2026"), "ambiguous_date"),
        ("date two-digit year", "yy.csv", bad_date("26/1/5"), "ambiguous_date"),
        ("date without year", "noyear.csv", bad_date("1/5"), "date_without_year"),
        ("date in words", "words.csv", bad_date('"Jan 5, 2026"'), "bad_date"),
        ("date 30 February", "feb30.csv", bad_date("2026-02-30"), "invalid_date"),
        ("week 54", "w54.csv", bad_date("2026-W54"), "invalid_date"),
        ("month 13", "m13.csv", bad_date("2026-13"), "invalid_date"),
        ("year 1899", "old.csv", bad_date("1899-12-31"), "date_out_of_range"),
        ("no period column", "noperiod.csv", csv_bytes("UU,CVR", "1000,2.0"), "no_period_column"),
        ("values without a period", "noperiod_row.csv", wide(",1000,2.0,3450"), "missing_period"),
        ("long row without value", "novalue.csv", long("uu,2026-01-05,"), "missing_value"),
        (
            "values under no header",
            "noheader.csv",
            wide("2026-01-05,1,2,3,99"),
            "column_without_header",
        ),
        ("percent over 100", "pct.csv", wide("2026-01-05,1000,120,3450"), "percent_out_of_range"),
        (
            "percent sign over 100",
            "pct2.csv",
            wide("2026-01-05,1000,150%,3450"),
            "percent_out_of_range",
        ),
        ("negative count", "neg.csv", wide("2026-01-05,-5,2.0,3450"), "negative_value"),
        ("fractional count", "frac.csv", wide("2026-01-05,12.5,2.0,3450"), "not_integer"),
        ("percent in yen", "yenpct.csv", wide("2026-01-05,1000,2.0,12%"), "unexpected_percent"),
        ("png named .xlsx", "chart.xlsx", PNG, "not_spreadsheet"),
        ("png named .csv", "chart.csv", PNG, "not_spreadsheet"),
        (
            "legacy .xls",
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "xls_unsupported",
        ),
        ("truncated xlsx", "cut.xlsx", good_xlsx[: len(good_xlsx) // 2], "xlsx_unreadable"),
        (
            "zip that is not a workbook",
            "notes.xlsx",
            zip_bytes({"readme.txt": b"hello"}),
            "xlsx_unreadable",
        ),
        ("zip bomb", "bomb.xlsx", zip_bomb(), "zip_bomb"),
        ("zip over 100 MB unpacked", "huge.xlsx", zip_too_big(), "zip_too_large"),
        ("zip of 1,001 parts", "parts.xlsx", zip_many_entries(), "zip_too_many_entries"),
        (
            "formula =1+1 never calculated",
            "formula.xlsx",
            xlsx_bytes(["期間", "UU"], ["2026-01-05", "=1+1"]),
            "formula_without_value",
        ),
        (
            "excel error cell",
            "error.xlsx",
            xlsx_bytes(["期間", "UU"], ["2026-01-05", "#DIV/0!"]),
            "excel_error",
        ),
        (
            "text in an xlsx number cell",
            "text.xlsx",
            xlsx_bytes(["期間", "UU"], ["2026-01-05", "たくさん"]),
            "not_a_number",
        ),
    ]
    names = [name for name, *_rest in files]
    assert len(names) == len(set(names)), "bad file names must be unique"
    return files
