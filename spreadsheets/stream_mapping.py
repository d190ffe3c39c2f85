"""``rows_to_records`` for a file read as a stream (``spreadsheets.streaming``), a chunk at a time.

The problems and records are those of ``rows_to_records`` with one difference: two rows
giving the same KPI and period are found here only inside one chunk; the caller finds them
across chunks (``metrics.import_stream`` asks the database), so nothing here grows with the
file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spreadsheets.headers import LONG, ROWS, KpiRef, detect_shape
from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.kpi_rows import KPI_INDEX
from spreadsheets.records import Record, _Mapper, _problem
from spreadsheets.table import Problem, Text

DATE_CACHE = 50_000  # distinct period cells remembered (a long file repeats a few)


class StreamMapper(_Mapper):
    """Feed it the chunks of a ``StreamTable``; each ``feed`` answers (records, problems)."""

    def __init__(self, table: Any, kpis: Sequence[KpiRef]) -> None:
        super().__init__(table, kpis)
        self.shape = detect_shape(table.headers, kpis)
        if self.shape == LONG:
            self.long_columns_found = self.long_columns()
        elif self.shape == ROWS:
            self.period_columns_found = self.period_columns(streamed=True)
        else:
            self.period_index, self.columns = self.wide_columns(streamed=True)
        self.unlabelled: set[int] = set()  # header-less columns reported as having values

    def feed(self, rows: list[tuple[int, list[Any]]]) -> tuple[list[Record], list[Problem]]:
        self.records = []
        self.seen = {}
        if len(self.dates) > DATE_CACHE:
            self.dates.clear()
            self.grains.clear()
        if len(self.starts) > DATE_CACHE:
            self.starts.clear()
        if self.shape == LONG:
            self.long_rows(rows, *self.long_columns_found)
        elif self.shape == ROWS:
            self._unlabelled(rows, KPI_INDEX)
            self.kpi_rows_cells(rows, self.period_columns_found)
        else:
            self._unlabelled(rows, self.period_index)
            if self.period_index is not None:
                self.wide_rows(rows, self.period_index, self.columns)
        records, problems = self.records, self.problems
        self.records, self.problems = [], []
        return records, problems

    def _unlabelled(self, rows: list[tuple[int, list[Any]]], key_index: int | None) -> None:
        """Columns with values but no header (``wide_columns`` checks them on a whole table);
        the period column (wide) or the KPI column (rows) ``key_index`` may have none."""
        headers = self.table.headers
        width = len(headers)
        blank = [i for i, header in enumerate(headers) if not header and i != key_index]
        for _number, row in rows:
            extra = range(width, len(row)) if len(row) > width else ()
            for index in (*blank, *extra):
                if row[index] is not None and index not in self.unlabelled:
                    self.unlabelled.add(index)
                    label = self.table.column_label(index)
                    self.problems.append(_problem(
                        self.header_row, label, "column_without_header",
                        Text(_("Column %(column)s has values but no header."), column=label)))
