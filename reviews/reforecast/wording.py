"""The reforecast pages' words and numbers in the active language: months, KPI names, points."""
from __future__ import annotations

from datetime import date

from django.utils import formats, translation
from django.utils.translation import pgettext

from core.formatting import format_change, format_value


def month_label(month: date) -> str:
    """November 2026 / 2026年11月."""
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def month_short(month: date) -> str:
    """Nov 2026 / 2026年11月 (chart axes)."""
    return formats.date_format(month, pgettext("short month format", "M Y"))


def is_ja() -> bool:
    return (translation.get_language() or "ja").startswith("ja")


def kpi_name(item: dict, code: str = "") -> str:
    """A KPI's name in the active language, from a payload entry with name_ja / name_en."""
    if not item:
        return code
    first, second = ("name_ja", "name_en") if is_ja() else ("name_en", "name_ja")
    return item.get(first) or item.get(second) or code


def join_names(names: list[str]) -> str:
    return pgettext("list separator", ", ").join(names)


def pp_text(value: float) -> str:
    """Percentage points with one decimal: 2.2 (no sign)."""
    return f"{abs(value):.1f}"


def signed_pp(value: float) -> str:
    return format_change(round(value, 1), "pt")


def slider_text(value: int) -> str:
    """+5 % / −3 % / ±0 % (static/js/reforecast.js writes the same while sliding)."""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{abs(value)} %"


def precise(value, unit) -> str:
    """A leaf's value with enough digits that a 1 % move shows (1.78 %, not 1.8 %)."""
    if value is not None and unit in ("percent", "ratio") and abs(value) < 100:
        return f"{value:,.2f} %" if unit == "percent" else f"{value:,.2f}"
    if value is not None and unit == "JPY" and abs(value) < 1000:
        return f"¥{value:,.1f}"
    return format_value(value, unit, compact=unit == "JPY" and abs(value or 0) >= 1_000_000)


def percent_text(probability: float | None) -> str:
    return "—" if probability is None else f"{100 * probability:.0f}%"
