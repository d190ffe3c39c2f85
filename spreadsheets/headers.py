"""Which column is which: header names, KPI lookup by code or name, and the table's shape.

Mapping the rows onto records is ``spreadsheets.records``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WIDE, LONG = "wide", "long"

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


def detect_shape(headers: Sequence[str], kpis: Sequence[KpiRef] = ()) -> str:
    """Say "long" when there are KPI and value columns (kpi/period/value), otherwise "wide"."""
    index = _KpiIndex(kpis)
    kpi_column = value_column = False
    for header in headers:
        key = normalize_header(header)
        # A KPI literally called "value" is a wide column, not the long shape's value column.
        if index.by_key.get(key):
            continue
        kpi_column = kpi_column or key in _KPI_KEYS
        value_column = value_column or key in _VALUE_KEYS
    return LONG if kpi_column and value_column else WIDE
