"""The report layout: one KPI per row (its first cell), one period per column after the first.

``KpiRowsShape`` is the part of ``records._Mapper`` that reads this shape; the cells go
through the mapper's own checks (``_value``: range, a month for a weekly KPI, the period's
start at the KPI's cadence), so a value means the same whatever the layout.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from spreadsheets.dates import label_grain, parse_date
from spreadsheets.headers import clip
from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import Problem, Text
from spreadsheets.values import NO_FIGURE, ValueProblem

KPI_INDEX = 0  # the column naming each row's KPI

# (index, label, period, header): a column of periods, its label in problems and records.
PeriodColumn = tuple[int, str, date, str]


class KpiRowsShape:
    """Reads a table whose rows are KPIs and whose columns after the first are periods."""

    table: Any
    index: Any
    header_row: int
    problems: list[Problem]
    records: list
    grains: dict[str, str]
    # and ``_value(number, label, kpi, period, cell, period_cell)``, the mapper's cell check

    def kpi_rows(self) -> None:
        self.kpi_rows_cells(self.table.rows, self.period_columns())

    def period_columns(self, *, streamed: bool = False) -> list[PeriodColumn]:
        """The columns after the first, each with its period; header problems.

        ``streamed``: the rows are not at hand; columns without a header are checked row by
        row instead of here.
        """
        table = self.table
        self.kpi_first_row: dict[str, int] = {}  # a KPI's first row, to name a second one
        columns: list[PeriodColumn] = []
        claimed: dict[date, str] = {}
        for index, header in enumerate(table.headers):
            if index == KPI_INDEX:
                continue
            label = table.column_label(index)
            if not header:
                if not streamed and any(row[index] is not None for _n, row in table.rows):
                    self._header_problem(label, "column_without_header", Text(
                        _("Column %(column)s has values but no header."), column=label))
                continue
            try:
                period = parse_date(header)
            except ValueProblem as problem:
                if problem.code == "bad_date":
                    self._header_problem(label, "not_a_period_column", Text(_(
                        "“%(header)s” is not a period. With one KPI per row, every column "
                        "after the first is a period (2026-01-05, 2026-01, 2026年1月): "
                        "remove totals and notes."), header=clip(header)))
                else:
                    self._header_problem(label, problem.code, problem.message)
                continue
            if period in claimed:
                self._header_problem(label, "duplicate_period_column", Text(
                    _("Columns “%(header)s” and “%(other)s” are the same period (%(period)s); "
                      "keep one."),
                    header=clip(header), other=clip(claimed[period]), period=period.isoformat()))
                continue
            claimed[period] = header
            if grain := label_grain(header):
                self.grains[header] = grain  # _value refuses a month for a weekly KPI
            columns.append((index, label, period, header))
        return columns

    def kpi_rows_cells(self, rows, columns: list[PeriodColumn]) -> None:
        """Each row's KPI and its value in each period column (blanks and dashes skipped)."""
        kpi_label = self.table.column_label(KPI_INDEX)
        for number, row in rows:
            cells = [(label, period, header, row[index]) for index, label, period, header in columns
                     if row[index] is not None and row[index] not in NO_FIGURE]
            kpi_cell = row[KPI_INDEX]
            if kpi_cell is None:
                if cells:
                    self.problems.append(Problem(number, kpi_label, Text(
                        _("The KPI is missing.")), "missing_kpi"))
                continue
            kpi = self.index.find(kpi_cell)
            if kpi is None:
                self.problems.append(Problem(number, kpi_label, Text(
                    _("“%(value)s” is not a KPI of this company."), value=str(kpi_cell)[:40]),
                    "unknown_kpi"))
            else:
                first = self.kpi_first_row.setdefault(kpi.code, number)
                if first != number:
                    self.problems.append(Problem(number, kpi_label, Text(
                        _("Rows %(first)s and %(row)s are both the KPI %(kpi)s; keep one."),
                        first=first, row=number, kpi=kpi.code), "duplicate_kpi_row"))
                    continue
            taken: dict[date, str] = {}  # this row's periods, at the KPI's cadence
            for label, period, header, cell in cells:
                before = len(self.records)
                self._value(number, label, kpi, period, cell, header)
                if len(self.records) == before:
                    continue
                # Two days of one week (a weekly KPI) are one cell: the second is refused.
                start = self.records[-1].period_date
                other = taken.setdefault(start, label)
                if other != label:
                    self.records.pop()
                    self.problems.append(Problem(number, label, Text(
                        _("“%(header)s” and “%(other)s” are the same period of %(kpi)s "
                          "(%(period)s); keep one."),
                        header=clip(label), other=clip(other), kpi=kpi.code,
                        period=start.isoformat()), "duplicate_period"))

    def _header_problem(self, label: str, code: str, message: Text) -> None:
        self.problems.append(Problem(self.header_row, clip(label, 60), message, code))

