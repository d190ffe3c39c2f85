"""Which column is which: header names, KPI lookup by code or name, and the table's shape.

Three shapes: "long" (columns kpi, period, value), "wide" (a period column and one column
per KPI) and "rows" (a report: one KPI per row, one period per column after the first).

Mapping the rows onto records is ``spreadsheets.records``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from spreadsheets.dates import parse_date
from spreadsheets.values import ValueProblem

WIDE, LONG, ROWS = "wide", "long", "rows"

KPI_HEADERS = ("kpi", "指標", "指標名", "kpiコード", "kpi code", "kpi名", "code", "コード")
PERIOD_HEADERS = (
    "period",
    "date",
    "week",
    "month",
    "week start",
    "期間",
    "日付",
    "週",
    "月",
    "年月",
    "年月日",
    "週開始日",
    "開始日",
    "対象期間",
    "対象週",
    "対象月",
    "集計期間",
)
VALUE_HEADERS = ("value", "値", "数値", "実績", "実績値")


@dataclass(frozen=True)
class KpiRef:
    """What the importer needs to know about a KPI of the company."""

    code: str
    name_ja: str = ""
    name_en: str = ""
    unit: str | None = None  # enables range checks (see values.check_range)
    cadence: str | None = None  # when set, dates are moved to the start of their period
    percent_max: Decimal | None = None  # for percent KPIs that may exceed 100 (NRR)
    typical: Decimal | None = None  # recent level of a percent KPI (catches 0.02 meant as 2 %)
    allow_negative: bool = False  # the KPI's "can be negative" (profit); else < 0 is refused


_BRACKETED_UNIT = re.compile(r"[(\[【〔<《][^()\[\]【】〔〕<>《》]*[)\]】〕>》]$")
_SPACES = re.compile(r"\s+")


def clip(text: str, limit: int = 40) -> str:
    """A header quoted in a problem: an overlong one would bury the reason (and the batch)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalize_header(text: Any) -> str:
    """Compare-ready form of a header: NFKC, case-folded, no spaces, no trailing (unit)."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold()
    value = _SPACES.sub("", value)
    stripped = _BRACKETED_UNIT.sub("", value)
    return stripped or value


def _aliases(names: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize_header(name) for name in names)


_KPI_KEYS = _aliases(KPI_HEADERS)
_PERIOD_KEYS = _aliases(PERIOD_HEADERS)
_VALUE_KEYS = _aliases(VALUE_HEADERS)


class _KpiIndex:
    """Lookup by code, then Japanese name, then English name (the first wins on clashes)."""

    def __init__(self, kpis: Sequence[KpiRef]) -> None:
        self.by_key: dict[str, KpiRef] = {}
        self.by_text: dict[Any, KpiRef | None] = {}
        for attribute in ("code", "name_ja", "name_en"):
            for kpi in kpis:
                key = normalize_header(getattr(kpi, attribute))
                if key:
                    self.by_key.setdefault(key, kpi)

    def find(self, text: Any) -> KpiRef | None:
        # Long files repeat the same few KPI cells; normalise each distinct text once.
        try:
            return self.by_text[text]
        except KeyError:
            found = self.by_text[text] = self.by_key.get(normalize_header(text))
            return found


def match_header(header: Any, kpis: Sequence[KpiRef]) -> KpiRef | None:
    """The KPI a header (or a cell of a KPI column) names, by code or name, or None."""
    return _KpiIndex(kpis).find(header)


def _find_column(headers: Sequence[str], keys: frozenset[str]) -> int | None:
    for index, header in enumerate(headers):
        if normalize_header(header) in keys:
            return index
    return None


# The parser's refusals of a header that is meant as a period (a day without its year, an
# ambiguous 1/5/26, 2026-02-30): in a sheet of period columns they are named, not guessed.
PERIOD_LIKE = frozenset({"ambiguous_date", "date_without_year", "invalid_date",
                         "date_out_of_range"})


def period_header(header: str) -> bool | None:
    """True when a header names a period, None when it means one but is refused, else False."""
    try:
        parse_date(header)
    except ValueProblem as problem:
        return None if problem.code in PERIOD_LIKE else False
    return True


def detect_shape(headers: Sequence[str], kpis: Sequence[KpiRef] = ()) -> str:
    """Say "long" when there are KPI and value columns (kpi/period/value); "rows" when the
    columns after the first are mostly periods (2026-01-05, 2026年1月) and none is named after
    a KPI or the period; otherwise "wide"."""
    index = _KpiIndex(kpis)
    kpi_column = value_column = named = False
    for position, header in enumerate(headers):
        key = normalize_header(header)
        # A KPI literally called "value" is a wide column, not the long shape's value column.
        if index.by_key.get(key):
            named = named or position > 0
            continue
        kpi_column = kpi_column or key in _KPI_KEYS
        value_column = value_column or key in _VALUE_KEYS
        named = named or key in _PERIOD_KEYS
    if kpi_column and value_column:
        return LONG
    if not named and _mostly_periods([header for header in headers[1:] if header]):
        return ROWS
    return WIDE


def _mostly_periods(headers: Sequence[str]) -> bool:
    found = [period_header(header) for header in headers]
    periods = found.count(True)
    # A total or a unit column among the periods is named as not a period (not a KPI).
    return periods > 0 and 2 * (periods + found.count(None)) >= len(found)
