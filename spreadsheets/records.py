"""Map a read table onto KPIs and periods, collecting every problem instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from core.calendar import period_start
from spreadsheets.dates import label_grain, parse_date
from spreadsheets.headers import (
    _KPI_KEYS,
    _PERIOD_KEYS,
    _VALUE_KEYS,
    LONG,
    ROWS,
    KpiRef,
    _find_column,
    _KpiIndex,
    clip,
    detect_shape,
)
from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.kpi_rows import KpiRowsShape
from spreadsheets.table import Problem, Table, Text, other_sheets_problem
from spreadsheets.values import (
    _PLAIN,
    MAX_SIGNIFICANT_DIGITS,
    NO_FIGURE,
    ParsedNumber,
    ValueProblem,
    check_range,
    parse_number,
    to_unit,
)


class Record(NamedTuple):
    """One measurement found in the file, ready for the Django layer to store.

    A named tuple, not a frozen dataclass: a million-row import makes a million of them,
    and a tuple is built several times faster."""

    row: int
    column: str
    kpi_code: str
    period_date: date
    value: Decimal
    percent: bool


def _problem(row: int | None, column: str | None, code: str, message: Text) -> Problem:
    return Problem(row=row, column=column, message=message, code=code)


def rows_to_records(table: Table, kpis: Sequence[KpiRef]) -> tuple[list[Record], list[Problem]]:
    """Every measurement in the table and every problem with it; import only if problems is empty."""
    mapper = _Mapper(table, kpis)
    shape = detect_shape(table.headers, kpis)
    if shape == LONG:
        mapper.long()
    elif shape == ROWS:
        mapper.kpi_rows()
    else:
        mapper.wide()
    return mapper.records, mapper.problems


# A month's (or week's) figure given to a finer KPI would land on the period holding its 1st.
_COARSER = {
    ("month", "weekly"): ("month_for_weekly", _(
        "“%(value)s” is a month, but this KPI is weekly: give each week's first day "
        "(YYYY-MM-DD) or its ISO week (2026-W41).")),
    ("month", "daily"): ("month_for_daily", _(
        "“%(value)s” is a month, but this KPI is daily: give each day as YYYY-MM-DD.")),
    ("week", "daily"): ("week_for_daily", _(
        "“%(value)s” is a week, but this KPI is daily: give each day as YYYY-MM-DD.")),
}


def _coarser_period(grain: str | None, cadence: str | None):
    """(code, message) when a period label is coarser than the KPI's cadence, else None."""
    return _COARSER.get((grain, cadence)) if grain else None


class _Mapper(KpiRowsShape):
    def __init__(self, table: Table, kpis: Sequence[KpiRef]) -> None:
        self.table = table
        self.index = _KpiIndex(kpis)
        self.records: list[Record] = []
        self.problems: list[Problem] = list(table.problems)
        self.seen: dict[tuple[str, date], int] = {}
        self.dates: dict[Any, date | ValueProblem] = {}
        self.starts: dict[tuple[date, str], date] = {}  # period_start, per date and cadence
        self.grains: dict[str, str] = {}  # period cells naming a whole month or week
        self.header_row = table.header_row

    # -- shapes

    def wide(self) -> None:
        period_index, columns = self.wide_columns()
        if period_index is not None:
            self.wide_rows(self.table.rows, period_index, columns)

    def wide_columns(self, *, streamed: bool = False) -> tuple[int | None, list]:
        """The period column and the KPI columns of a wide table; header problems.

        ``streamed``: the rows are not at hand; columns without a header are checked row by
        row (``wide_rows``) instead of here.
        """
        table = self.table
        period_index = _find_column(table.headers, _PERIOD_KEYS)
        if period_index is None:
            self.problems.append(
                _problem(
                    self.header_row,
                    None,
                    "no_period_column",
                    Text(
                        _(
                            "No period column: name one “period”, “date” or “期間” "
                            "(or use the columns kpi, period, value)."
                        )
                    ),
                )
            )
            if others := getattr(table, "other_sheets", ()):
                self.problems.append(other_sheets_problem(table.sheet, others, self.header_row))
        columns: list[tuple[int, KpiRef]] = []
        claimed: dict[str, str] = {}
        known_before = len(self.problems)
        for index, header in enumerate(table.headers):
            if index == period_index:
                continue
            label = table.column_label(index)
            if not header:
                if not streamed and any(row[index] is not None for _n, row in table.rows):
                    self.problems.append(
                        _problem(
                            self.header_row,
                            label,
                            "column_without_header",
                            Text(_("Column %(column)s has values but no header."), column=label),
                        )
                    )
                continue
            kpi = self.index.find(header)
            if kpi is None:
                self.problems.append(
                    _problem(
                        self.header_row,
                        clip(header, 60),
                        "unknown_kpi_column",
                        Text(_("“%(header)s” is not a KPI of this company."),
                             header=clip(header)),
                    )
                )
            elif kpi.code in claimed:
                self.problems.append(
                    _problem(
                        self.header_row,
                        clip(header, 60),
                        "duplicate_column",
                        Text(
                            _("“%(header)s” and “%(other)s” are both the KPI %(kpi)s."),
                            header=clip(header),
                            other=clip(claimed[kpi.code]),
                            kpi=kpi.code,
                        ),
                    )
                )
            else:
                claimed[kpi.code] = header
                columns.append((index, kpi))
        if period_index is not None and not columns and len(self.problems) == known_before:
            self.problems.append(
                _problem(
                    self.header_row,
                    None,
                    "no_kpi_columns",
                    Text(_("No column is named after a KPI of this company.")),
                )
            )
        return period_index, columns

    def wide_rows(self, rows, period_index: int, columns: list) -> None:
        table = self.table
        period_label = table.column_label(period_index)
        for number, row in rows:
            cells = [(index, kpi, row[index]) for index, kpi in columns
                     if row[index] is not None and row[index] not in NO_FIGURE]
            period = self._date(number, period_label, row[period_index], needed=bool(cells))
            for index, kpi, cell in cells:
                self._value(number, table.column_label(index), kpi, period, cell,
                            row[period_index])

    def long(self) -> None:
        self.long_rows(self.table.rows, *self.long_columns())

    def long_columns(self) -> tuple[int, int, int | None]:
        """The KPI, value and period columns of a long table; header problems."""
        table = self.table
        kpi_index = _find_column(table.headers, _KPI_KEYS)
        value_index = _find_column(table.headers, _VALUE_KEYS)
        period_index = _find_column(table.headers, _PERIOD_KEYS)
        assert kpi_index is not None and value_index is not None  # detect_shape said long
        if period_index is None:
            self.problems.append(
                _problem(
                    self.header_row,
                    None,
                    "no_period_column",
                    Text(_("No period column: name one “period”, “date” or “期間”.")),
                )
            )
        return kpi_index, value_index, period_index

    def long_rows(self, rows, kpi_index: int, value_index: int, period_index: int | None) -> None:
        table = self.table
        kpi_label = table.column_label(kpi_index)
        value_label = table.column_label(value_index)
        period_label = table.column_label(period_index) if period_index is not None else None
        for number, row in rows:
            kpi_cell, value_cell = row[kpi_index], row[value_index]
            period_cell = row[period_index] if period_index is not None else None
            if kpi_cell is None and value_cell is None and period_cell is None:
                continue  # a row with only notes in other columns
            kpi = None
            if kpi_cell is None:
                self.problems.append(
                    _problem(number, kpi_label, "missing_kpi", Text(_("The KPI is missing.")))
                )
            else:
                kpi = self.index.find(kpi_cell)
                if kpi is None:
                    self.problems.append(
                        _problem(
                            number,
                            kpi_label,
                            "unknown_kpi",
                            Text(
                                _("“%(value)s” is not a KPI of this company."),
                                value=str(kpi_cell)[:40],
                            ),
                        )
                    )
            period = None
            if period_label is not None:
                period = self._date(number, period_label, period_cell, needed=True)
            if value_cell is None:
                self.problems.append(
                    _problem(number, value_label, "missing_value", Text(_("The value is missing.")))
                )
                continue
            self._value(number, value_label, kpi, period, value_cell, period_cell)

    # -- cells

    def _date(self, number: int, label: str, cell: Any, *, needed: bool) -> date | None:
        if cell is None:
            if needed:
                self.problems.append(
                    _problem(number, label, "missing_period", Text(_("The period is missing.")))
                )
            return None
        try:
            cached = self.dates.get(cell)
        except TypeError:  # pragma: no cover - every cell type we produce is hashable
            cached = None
        if cached is None:
            try:
                cached = parse_date(cell)
            except ValueProblem as problem:
                cached = problem
            self.dates[cell] = cached
            if grain := label_grain(cell):
                self.grains[cell] = grain
        if isinstance(cached, ValueProblem):
            self.problems.append(_problem(number, label, cached.code, cached.message))
            return None
        return cached

    def _value(
        self, number: int, label: str, kpi: KpiRef | None, period: date | None, cell: Any,
        period_cell: Any = None,
    ) -> None:
        if type(cell) is str and len(cell) <= MAX_SIGNIFICANT_DIGITS and _PLAIN.fullmatch(cell):
            # parse_number's own fast path for a plain short number, without its calls (a
            # million-row import): the cell is already stripped; "-0" is 0.
            value = Decimal(cell)
            parsed = ParsedNumber(abs(value) if value == 0 else value, False)
        else:
            try:
                parsed = parse_number(cell)
            except ValueProblem as problem:
                self.problems.append(_problem(number, label, problem.code, problem.message))
                return
        if kpi is None:
            return
        range_problems = check_range(
            parsed.value, kpi.unit, parsed.percent, percent_max=kpi.percent_max,
            typical=kpi.typical, allow_negative=kpi.allow_negative,
        )
        for problem in range_problems:
            self.problems.append(_problem(number, label, problem.code, problem.message))
        if period is None or range_problems:
            return
        if self.grains and type(period_cell) is str and (
                refusal := _coarser_period(self.grains.get(period_cell), kpi.cadence)):
            code, message = refusal
            self.problems.append(_problem(number, label, code, Text(message, value=period_cell)))
            return
        if kpi.cadence:
            key = (period, kpi.cadence)
            start = self.starts.get(key)
            if start is None:
                start = self.starts[key] = period_start(period, kpi.cadence)
            period = start
        first = self.seen.setdefault((kpi.code, period), number)
        if first != number:
            self.problems.append(
                _problem(
                    number,
                    label,
                    "duplicate_row",
                    Text(
                        _("Rows %(first)s and %(row)s both give %(kpi)s for %(period)s; keep one."),
                        first=first,
                        row=number,
                        kpi=kpi.code,
                        period=period.isoformat(),
                    ),
                )
            )
            return
        # Positional: a million-row import builds a million of these.
        self.records.append(
            Record(number, label, kpi.code, period, to_unit(parsed, kpi.unit), parsed.percent)
        )
