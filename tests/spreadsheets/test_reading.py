"""read_table: encodings, delimiters, trimming, limits and the xlsx path."""

import codecs
import io
from datetime import datetime

import openpyxl
import pytest

from spreadsheets import FileRejected, read_table
from spreadsheets.reading import Text, column_letter

from .badfiles import csv_bytes, xlsx_bytes, zip_bomb


def rejected_codes(data, filename="upload.csv", **options):
    with pytest.raises(FileRejected) as caught:
        read_table(data, filename, **options)
    return caught.value.codes


def test_utf8_csv_is_read_with_its_encoding_reported():
    table = read_table(csv_bytes("期間,UU", "2026-01-05,1,000"), "kpi.csv")
    assert table.format == "csv"
    assert table.encoding == "utf-8"
    assert table.headers == ["期間", "UU", ""]  # the stray comma makes a headerless column
    assert table.rows == [(2, ["2026-01-05", "1", "000"])]


def test_utf8_with_bom_loses_the_bom_from_the_first_header():
    table = read_table(codecs.BOM_UTF8 + csv_bytes("期間,UU", "2026-01-05,1"), "kpi.csv")
    assert table.encoding == "utf-8-sig"
    assert table.headers == ["期間", "UU"]


def test_shift_jis_from_japanese_excel_is_read_as_cp932():
    # ① and 髙 exist only in cp932, not in strict Shift_JIS.
    data = csv_bytes("期間,ユニークユーザー数,髙橋①", "2026年1月5日,１２３,ｶﾅ", encoding="cp932")
    table = read_table(data, "kpi.csv")
    assert table.encoding == "cp932"
    assert table.headers == ["期間", "ユニークユーザー数", "髙橋①"]
    assert table.rows == [(2, ["2026年1月5日", "１２３", "ｶﾅ"])]


def test_encoding_given_by_the_user_is_the_only_one_tried():
    data = csv_bytes("期間,UU", "2026-01-05,1", encoding="cp932")
    assert read_table(data, "kpi.csv", encoding="cp932").headers == ["期間", "UU"]
    assert rejected_codes(data, encoding="utf-8") == ["bad_encoding"]
    utf16 = "期間,UU\r\n2026-01-05,1\r\n".encode("utf-16")
    assert read_table(utf16, "kpi.csv", encoding="utf-16").rows == [(2, ["2026-01-05", "1"])]


def test_unknown_encoding_name_is_a_problem_not_a_lookup_error():
    assert rejected_codes(b"a,b\r\n1,2\r\n", encoding="klingon") == ["unknown_encoding"]


def test_mixed_encoding_names_the_first_line_in_the_other_encoding():
    data = "期間,ユニークユーザー数\r\n2026-01-05,1\r\n".encode() + "2026-01-12,２\r\n".encode(
        "cp932"
    )
    with pytest.raises(FileRejected) as caught:
        read_table(data, "kpi.csv")
    (problem,) = caught.value.problems
    assert problem.code == "mixed_encoding"
    assert problem.row == 3
    assert "line 3" in str(problem.message)


def test_euc_jp_that_happens_to_decode_as_cp932_is_still_refused():
    data = csv_bytes("週次,購入率,平均注文額", "2026-01-05,2,3450", encoding="euc_jp")
    data.decode("cp932")  # the trap: no error, only nonsense
    assert rejected_codes(data) == ["bad_encoding"]


def test_half_width_katakana_in_cp932_is_not_mistaken_for_euc_jp():
    data = csv_bytes("期間,ﾕﾆｰｸﾕｰｻﾞｰ", "2026-01-05,1", encoding="cp932")
    assert read_table(data, "kpi.csv").headers == ["期間", "ﾕﾆｰｸﾕｰｻﾞｰ"]


@pytest.mark.parametrize(
    ("text", "delimiter_free_headers"),
    [
        ("期間\tUU\tCVR\n2026-01-05\t1,000\t2.5\n", ["期間", "UU", "CVR"]),
        ("期間;UU;CVR\n2026-01-05;1,000;2.5\n", ["期間", "UU", "CVR"]),
        ('期間,UU,CVR\n2026-01-05,"1,000",2.5\n', ["期間", "UU", "CVR"]),
        ("sep=;\n期間;UU;CVR\n2026-01-05;1,000;2.5\n", ["期間", "UU", "CVR"]),
    ],
)
def test_delimiter_is_sniffed(text, delimiter_free_headers):
    table = read_table(text.encode(), "kpi.csv")
    assert table.headers == delimiter_free_headers
    assert table.rows[0][1][1] == "1,000"


def test_single_column_falls_back_to_comma():
    table = read_table(b"period\n2026-01-05\n", "kpi.csv")
    assert table.headers == ["period"]


def test_rows_keep_spreadsheet_numbers_and_drop_blank_rows_and_trailing_columns():
    data = csv_bytes("", "期間,UU,,", "2026-01-05,1,,", ",,,", "2026-01-12,2,,", ",,,", "")
    table = read_table(data, "kpi.csv")
    assert table.header_row == 2
    assert table.headers == ["期間", "UU"]
    assert table.rows == [(3, ["2026-01-05", "1"]), (5, ["2026-01-12", "2"])]
    assert table.row_count == 2


def test_quoted_newline_counts_as_one_row():
    table = read_table(b'period,note\n2026-01-05,"a\nb"\n2026-01-12,c\n', "kpi.csv")
    assert [number for number, _row in table.rows] == [2, 3]


def test_short_rows_are_padded():
    table = read_table(b"a,b,c\n1\n", "kpi.csv")
    assert table.rows == [(2, ["1", None, None])]


def test_limits_are_parameters():
    data = csv_bytes("a,b", "1,2", "3,4")
    assert rejected_codes(data, max_rows=1) == ["too_many_rows"]
    assert rejected_codes(data, max_bytes=5) == ["file_too_large"]
    assert rejected_codes(data, max_line_bytes=2) == ["line_too_long"]


def test_a_huge_line_is_refused_before_parsing_and_quickly():
    data = b"a,b\n" + b"x" * (10 * 1024 * 1024) + b"\n"
    with pytest.raises(FileRejected) as caught:
        read_table(data, "kpi.csv")
    assert caught.value.problems[0].row == 2


def test_xlsx_values_dates_and_percent_formats():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["期間", "UU", "CVR", "メモ"])
    sheet.append([datetime(2026, 1, 5), 120000, 0.125, None])
    sheet["C2"].number_format = "0.0%"
    sheet.append([])
    sheet.append(["2026-01-12", 1.5, None, "  note  "])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "kpi.xlsx")
    assert table.format == "xlsx"
    assert table.encoding is None
    assert table.headers == ["期間", "UU", "CVR", "メモ"]
    assert table.rows == [
        (2, [datetime(2026, 1, 5), 120000, "12.5%", None]),
        (4, ["2026-01-12", 1.5, None, "note"]),
    ]


def test_xlsx_is_recognised_by_content_whatever_its_name():
    table = read_table(xlsx_bytes(["期間", "UU"], ["2026-01-05", 1]), "export")
    assert table.format == "xlsx"


def test_xlsx_formula_with_cached_value_is_read_as_the_value():
    data = xlsx_bytes(["期間", "UU"], ["2026-01-05", "=1+1"])
    # openpyxl never calculates; put the value Excel would have saved next to the formula.
    data = _with_cached_value(data, b"<f>1+1</f>", b"<f>1+1</f><v>2</v>")
    table = read_table(data, "kpi.xlsx")
    assert table.rows == [(2, ["2026-01-05", 2])]
    assert table.problems == []


def test_xlsx_formula_without_cached_value_is_a_problem_on_its_cell():
    table = read_table(xlsx_bytes(["期間", "UU"], ["2026-01-05", "=1+1"]), "kpi.xlsx")
    (problem,) = table.problems
    assert (problem.row, problem.column, problem.code) == (2, "UU", "formula_without_value")
    assert "=1+1" in str(problem.message)


def test_zip_bomb_is_refused_before_inflating():
    data = zip_bomb()
    assert rejected_codes(data, "bomb.xlsx") == ["zip_bomb"]


def test_nothing_but_file_rejected_escapes_for_random_bytes():
    import random

    rng = random.Random(7)
    good = xlsx_bytes(["期間", "UU"], ["2026-01-05", 1])
    for attempt in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        for name in ("kpi.xlsx", "kpi.csv"):
            try:
                read_table(bytes(data), name)
            except FileRejected:
                pass
        noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
        try:
            read_table(noise, f"noise{attempt}.csv")
        except FileRejected:
            pass


def test_messages_render_with_their_parameters():
    assert str(Text("line %(line)s", line=3)) == "line 3"
    assert Text("a %(x)s", x=1) == Text("a %(x)s", x=1)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def _with_cached_value(data, old, new):
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(info.filename, content)
    return buffer.getvalue()
