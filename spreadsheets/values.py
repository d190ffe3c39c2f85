"""Turn a spreadsheet cell into a number the way a Japanese Excel user wrote it, and range-check it."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import Text

MAX_SIGNIFICANT_DIGITS = 15  # what Excel itself keeps
# Values are stored as numeric(20,4): 16 digits before the point. Anything as large is a
# mistake (or 1e309), refused here before any arithmetic on it.
MAX_MAGNITUDE = Decimal("1e16")
UNITS = ("JPY", "percent", "count", "ratio", "days", "hours", "score")

EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}
)
# A lone dash is how Japanese reports write "no figure": skipped like an empty cell in a wide
# or KPI-per-row sheet (a long sheet's value column still needs a value).
NO_FIGURE = frozenset({"-", "－", "―", "ー", "ｰ", "—", "–", "‐", "−", "--", "---", "ーー", "――"})
_KANJI_UNITS = {"兆": 10**12, "億": 10**8, "万": 10**4, "千": 10**3}

_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")  # the fast path: what most cells look like
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DIGITS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")
_KANJI_PART = re.compile(r"((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(兆|億|万|千)")
_NOT_FINITE = frozenset({"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"})
_MINUS_SIGNS = "-\u2212\u2012\u2013\u2014\u2015\ufe63▲△"
_SPACES = re.compile(r"\s+")


class ValueProblem(Exception):
    """A cell value that cannot be accepted; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class ParsedNumber(NamedTuple):
    """A parsed cell: its value, and whether it was written with a % sign (12.5% → 12.5, True).

    A named tuple: one is made per cell of an import (a frozen dataclass is much slower)."""

    value: Decimal
    percent: bool = False


def _not_a_number(raw: Any) -> ValueProblem:
    return ValueProblem(
        "not_a_number", Text(_("“%(value)s” is not a number."), value=_shorten(raw))
    )


def _shorten(raw: Any) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:39] + "…"


def parse_number(raw: Any) -> ParsedNumber:
    """Read a number from a cell (text or numeric), or raise ValueProblem saying why not."""
    if isinstance(raw, str):
        text = raw.strip()
        # Fast paths for what most cells look like: 1234, -12.5, 1,234,567.
        if _PLAIN.fullmatch(text):
            return _checked(Decimal(text), False, raw, short=len(text) <= MAX_SIGNIFICANT_DIGITS)
        if _GROUPED.fullmatch(text):
            plain = text.replace(",", "")
            return _checked(Decimal(plain), False, raw, short=len(plain) <= MAX_SIGNIFICANT_DIGITS)
        return _parse_text(raw)
    if isinstance(raw, (bool, date, time)):
        raise _not_a_number(raw)
    if isinstance(raw, int):
        return _checked(Decimal(raw), False, raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise _not_finite(raw)
        return _checked(Decimal(repr(raw)), False, raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _not_finite(raw)
        return _checked(raw, False, raw)
    if raw is None:
        raise ValueProblem("empty_value", Text(_("The cell is empty.")))
    raise _not_a_number(raw)


def _not_finite(raw: Any) -> ValueProblem:
    return ValueProblem(
        "not_finite", Text(_("“%(value)s” is not a finite number."), value=_shorten(raw))
    )


def _parse_text(raw: str) -> ParsedNumber:
    # NFKC folds full-width digits, ，．％（）￥ and the NBSP; U+2212 and ▲ are handled below.
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw))
    if not text:
        raise ValueProblem("empty_value", Text(_("The cell is empty.")))
    if text.startswith("="):
        raise ValueProblem(
            "formula",
            Text(
                _("“%(value)s” is a formula; formulas are not imported: paste values."),
                value=_shorten(raw),
            ),
        )
    if text.upper() in EXCEL_ERRORS:
        raise ValueProblem(
            "excel_error",
            Text(_("The cell shows the Excel error %(value)s."), value=text.upper()),
        )
    if text.lower() in _NOT_FINITE:
        raise _not_finite(raw)

    negative = False
    if text.startswith("(") and text.endswith(")"):  # accounting style (1,234)
        negative, text = True, text[1:-1]
    if text and text[0] in _MINUS_SIGNS:
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    # ¥ and \ (the yen sign in Japanese fonts) in front, 円 behind.
    text = text.removeprefix("¥").removeprefix("\\").removeprefix("JPY")
    text = text.removesuffix("円")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]

    if _DIGITS.fullmatch(text):
        value = Decimal(text.replace(",", ""))
    elif _SCIENTIFIC.fullmatch(text):  # how Excel's CSV export writes large numbers
        value = _plain(Decimal(text))
    elif text and text[-1] in _KANJI_UNITS and not percent:
        value = _kanji_number(text, raw)
    else:
        raise _why_not(text, raw)
    return _checked(-value if negative else value, percent, raw)


def _kanji_number(text: str, raw: str) -> Decimal:
    """1.2億, 8,300万, 1億2,000万 → the plain number."""
    total = Decimal(0)
    position = 0
    last_unit = None
    for match in _KANJI_PART.finditer(text):
        unit = _KANJI_UNITS[match.group(2)]
        if match.start() != position or (last_unit is not None and unit >= last_unit):
            raise _not_a_number(raw)
        total += Decimal(match.group(1).replace(",", "")) * unit
        position, last_unit = match.end(), unit
    if position != len(text) or last_unit is None:
        raise _not_a_number(raw)
    return _plain(total)


def _plain(value: Decimal) -> Decimal:
    """1.2億 and 1.2E+7 as 120000000 and 12000000, not 120000000.0 and 1.2E+7."""
    if abs(value) >= 10**MAX_SIGNIFICANT_DIGITS or value != value.to_integral_value():
        return value
    return value.quantize(Decimal(1))


def _why_not(text: str, raw: str) -> ValueProblem:
    """The most helpful reason a text is not a number."""
    core = text.replace(",", "")
    if core.count(".") > 1 and core.replace(".", "").isdigit():
        return ValueProblem(
            "multiple_decimal_points",
            Text(_("“%(value)s” has more than one decimal point."), value=_shorten(raw)),
        )
    if core.replace(".", "").isdigit() and "," in text:
        return ValueProblem(
            "bad_thousands_separator",
            Text(
                _(
                    "“%(value)s” uses commas in an unexpected place: write thousands as "
                    "1,234 and decimals with a period."
                ),
                value=_shorten(raw),
            ),
        )
    return _not_a_number(raw)


def _checked(value: Decimal, percent: bool, raw: Any, *, short: bool = False) -> ParsedNumber:
    if not value.is_finite():
        raise _not_finite(raw)
    if abs(value) >= MAX_MAGNITUDE:
        raise ValueProblem(
            "too_large",
            Text(_("“%(value)s” is too large: numbers must stay below 10,000,000,000,000,000."),
                 value=_shorten(raw)),
        )
    if (
        not short
        and len(value.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
        and _significant_digits(value) > MAX_SIGNIFICANT_DIGITS
    ):
        raise ValueProblem(
            "too_many_digits",
            Text(
                _("“%(value)s” has more than %(limit)s significant digits."),
                value=_shorten(raw),
                limit=MAX_SIGNIFICANT_DIGITS,
            ),
        )
    if value == 0:
        value = abs(value)  # no "-0"
    return ParsedNumber(value, percent)


def _significant_digits(value: Decimal) -> int:
    try:
        return len(value.normalize().as_tuple().digits)
    except InvalidOperation:  # pragma: no cover - normalize only fails on huge exponents
        return MAX_SIGNIFICANT_DIGITS + 1


_ZERO, _HUNDRED = Decimal(0), Decimal(100)
_NON_NEGATIVE = frozenset({"JPY", "count", "ratio", "days", "hours"})
_NO_PERCENT = frozenset({"JPY", "count", "days", "hours", "score"})


def check_range(
    value: Decimal,
    unit: str | None,
    percent: bool = False,
    *,
    percent_max: Decimal | None = None,
    typical: Decimal | None = None,
    allow_negative: bool = False,
) -> list[ValueProblem]:
    """Problems with `value` for a KPI measured in `unit` (empty list when it is acceptable).

    For unit "percent" a plain number is percent points (0.125 is 0.125 %, not 12.5 %).
    When the KPI's recent values (`typical`, in percent points) are around 2 and the cell
    says 0.02, it is a spreadsheet fraction meant as 2 %: refused with that suggestion
    rather than stored 100 times too small; "0.02%" is always taken as written.
    `percent_max` (default 100) lets a KPI such as NRR accept values above 100 %.
    Yen, counts, ratios, days and hours cannot be negative unless ``allow_negative`` (the
    KPI's "can be negative": profit, a net change). Unknown units are not checked.
    """
    problems: list[ValueProblem] = []
    if unit == "percent" and not percent and _looks_like_fraction(value, typical):
        problems.append(
            ValueProblem(
                "percent_as_fraction",
                Text(
                    _(
                        "%(value)s looks like a fraction, but this KPI is in percent and its "
                        "recent values are around %(typical)s %%: type %(meant)s (or "
                        "%(meant)s%%), or %(value)s%% if you really mean %(value)s %%."
                    ),
                    value=value,
                    typical=typical,
                    meant=_plain((value * 100).normalize()),
                ),
            )
        )
        return problems
    if percent and unit in _NO_PERCENT:
        problems.append(
            ValueProblem(
                "unexpected_percent",
                Text(
                    _("%(value)s%% was written as a percentage, but this KPI is in %(unit)s."),
                    value=value,
                    unit=unit,
                ),
            )
        )
    if unit == "percent":
        upper = _HUNDRED if percent_max is None else percent_max
        if not _ZERO <= value <= upper:
            problems.append(
                ValueProblem(
                    "percent_out_of_range",
                    Text(
                        _("%(value)s %% is outside 0–%(max)s %%."),
                        value=value,
                        max=upper,
                    ),
                )
            )
    elif value < _ZERO and unit in _NON_NEGATIVE and not allow_negative:
        problems.append(
            ValueProblem(
                "negative_value",
                Text(_("%(value)s is below zero, and this KPI cannot be. If it can (profit, a "
                       "net change), tick “can be negative” on the KPI."),
                     value=_plain(value.normalize())),
            )
        )
    if unit == "count" and value % 1:
        problems.append(
            ValueProblem(
                "not_integer",
                Text(_("%(value)s is not a whole number; counts must be."), value=value),
            )
        )
    return problems


def _looks_like_fraction(value: Decimal, typical: Decimal | None) -> bool:
    """0 < value < 1 while the KPI usually reads ≥ 1 and value × 100 is near that level."""
    if typical is None or not _ZERO < value < 1 or typical < 1:
        return False
    return typical / 4 <= value * 100 <= typical * 4


def to_unit(parsed: ParsedNumber, unit: str | None) -> Decimal:
    """The value in the KPI's unit: 12.5% in a ratio KPI is 0.125; otherwise unchanged."""
    if parsed.percent and unit == "ratio":
        return parsed.value / 100
    return parsed.value
