"""Spreadsheet import without Django models: read a file, parse its cells, map them to KPIs.

`read_table(data, filename)` gives a Table (or raises FileRejected with problems), then
`rows_to_records(table, kpis)` gives (records, problems); import only when problems is empty.
"""

from spreadsheets.dates import parse_date
from spreadsheets.headers import KpiRef, detect_shape, match_header, normalize_header
from spreadsheets.reading import FileRejected, Problem, Table, Text, column_letter, read_table
from spreadsheets.records import Record, rows_to_records
from spreadsheets.values import ParsedNumber, ValueProblem, check_range, parse_number, to_unit

__all__ = [
    "FileRejected",
    "KpiRef",
    "ParsedNumber",
    "Problem",
    "Record",
    "Table",
    "Text",
    "ValueProblem",
    "check_range",
    "column_letter",
    "detect_shape",
    "match_header",
    "normalize_header",
    "parse_date",
    "parse_number",
    "read_table",
    "rows_to_records",
    "to_unit",
]
