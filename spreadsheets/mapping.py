"""A source's names for things → the names the importer knows (KPI codes, period, value).

``{"Sales (JPY)": "revenue", "Month": "period"}`` renames headers and, in the long layout,
the cells of the KPI column (in the KPI-per-row layout, its first column). Names compare as
headers do (normalize_header).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from spreadsheets.headers import (
    KPI_HEADERS,
    LONG,
    PERIOD_HEADERS,
    ROWS,
    VALUE_HEADERS,
    KpiRef,
    _KpiIndex,
    detect_shape,
    normalize_header,
)
from spreadsheets.reading import Table

_KPI_KEYS = {normalize_header(h) for h in KPI_HEADERS}
_OTHER_KEYS = {normalize_header(h) for h in PERIOD_HEADERS + VALUE_HEADERS} | _KPI_KEYS


def _kpi_column(headers: Sequence[str], shape: str) -> int | None:
    if shape == ROWS:
        return 0
    if shape != LONG:
        return None
    for index, header in enumerate(headers):
        if normalize_header(header) in _KPI_KEYS:
            return index
    return None


def rename(table: Table, mapping: Mapping[str, str], kpis: Sequence[KpiRef]) -> Table:
    """The table with the mapping's names replaced (in place)."""
    names = {normalize_header(k): str(v) for k, v in (mapping or {}).items() if v}
    if not names:
        return table
    table.headers = [names.get(normalize_header(h), h) for h in table.headers]
    column = _kpi_column(table.headers, detect_shape(table.headers, kpis))
    if column is not None:
        for _number, cells in table.rows:
            if column < len(cells) and cells[column] not in (None, ""):
                cells[column] = names.get(normalize_header(cells[column]), cells[column])
    return table


def unmapped(table: Table, kpis: Sequence[KpiRef]) -> list[str]:
    """The source's names that are no KPI (wide: headers; long and rows: KPI cells), first
    seen first."""
    found: dict[str, None] = {}
    index = _KpiIndex(kpis)  # built once: a long file names the same KPIs over and over
    shape = detect_shape(table.headers, kpis)
    if shape in (LONG, ROWS):
        column = _kpi_column(table.headers, shape)
        seen = set()
        for _number, cells in table.rows:
            cell = cells[column] if column is not None and column < len(cells) else None
            if cell in (None, "") or cell in seen:
                continue
            seen.add(cell)
            if index.find(cell) is None:
                found[str(cell)] = None
    else:
        for header in table.headers:
            if header and normalize_header(header) not in _OTHER_KEYS \
                    and index.find(header) is None:
                found[str(header)] = None
    return list(found)
