"""Read the period of a row (a day, an ISO week or a month) in the forms Japanese sheets use."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import Text
from spreadsheets.values import ValueProblem

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's 1900-02-29
# Serial numbers outside 1970–2099 are far more likely a number in the wrong column.
SERIAL_MIN = (date(1970, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(2099, 12, 31) - EXCEL_EPOCH).days
YEAR_MIN, YEAR_MAX = 1970, 2099
# The periods a measurement may have, whatever the path (grid, import, API): a KPI's
# "latest" must never be 9999-12-31.
PERIOD_MIN, PERIOD_MAX = date(2000, 1, 1), date(2100, 12, 31)

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")  # fast path
_YMD = re.compile(
    r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
    r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})(?:-?1)?", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月)")
_ERA = re.compile(r"(令和|平成|R|H)\s*(\d{1,2}|元)\s*[年.]\s*(\d{1,2})\s*[月.]\s*(\d{1,2})\s*日?")
_ERA_MONTH = re.compile(r"(令和|平成)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月")  # a month: its 1st
_ERA_START = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_DAY_FIRST = re.compile(r"\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}")
_TWO_DIGIT_YEAR = re.compile(r"\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}")
_NO_YEAR = re.compile(r"\d{1,2}\s*(?:[/.]\s*\d{1,2}|月\s*\d{1,2}\s*日?)")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def _bad(raw: Any) -> ValueProblem:
    return ValueProblem(
        "bad_date",
        Text(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD (e.g. 2026-01-05)."),
            value=str(raw)[:40],
        ),
    )


def parse_date(raw: Any) -> date:
    """The date a cell names (a week → its Monday, a month → its 1st), or ValueProblem."""
    if isinstance(raw, datetime):
        return _in_range(raw.date(), raw)
    if isinstance(raw, date):
        return _in_range(raw, raw)
    if isinstance(raw, (time, bool)) or raw is None:
        raise _bad(raw)
    if isinstance(raw, (int, float, Decimal)):
        return _from_number(raw)
    if not isinstance(raw, str):
        raise _bad(raw)

    text = raw.strip()
    if _ISO.fullmatch(text):
        return _make(int(text[:4]), int(text[5:7]), int(text[8:]), raw)
    text = unicodedata.normalize("NFKC", text).strip()
    if match := _YMD.fullmatch(text):
        year, month, day = match.group(1), match.group(2), match.group(3)
        if month is None:
            month, day = match.group(4), match.group(5)
        return _make(int(year), int(month), int(day), raw)
    if match := _COMPACT.fullmatch(text):
        return _make(*(int(part) for part in match.groups()), raw)
    if match := _WEEK.fullmatch(text):
        return _week_monday(int(match.group(1)), int(match.group(2)), raw)
    if match := _MONTH.fullmatch(text):
        month = match.group(2) or match.group(3)
        return _make(int(match.group(1)), int(month), 1, raw)
    if match := _ERA.fullmatch(text):
        era, year, month, day = match.groups()
        number = 1 if year == "元" else int(year)
        return _make(_ERA_START[era] + number, int(month), int(day), raw)
    if match := _ERA_MONTH.fullmatch(text):
        era, year, month = match.groups()
        number = 1 if year == "元" else int(year)
        return _make(_ERA_START[era] + number, int(month), 1, raw)
    if _SERIAL.fullmatch(text):
        return _from_number(Decimal(text))
    if _DAY_FIRST.fullmatch(text) or _TWO_DIGIT_YEAR.fullmatch(text):
        raise ValueProblem(
            "ambiguous_date",
            Text(
                _(
                    "“%(value)s” is ambiguous (which part is the day, the month, the year?); "
                    "write it as YYYY-MM-DD."
                ),
                value=raw,
            ),
        )
    if _NO_YEAR.fullmatch(text):
        raise ValueProblem(
            "date_without_year",
            Text(_("“%(value)s” has no year; write it as YYYY-MM-DD."), value=raw),
        )
    raise _bad(raw)


def label_grain(raw: Any) -> str | None:
    """"month" or "week" when a text cell names a whole month or ISO week, else None (a day)."""
    if type(raw) is not str or _ISO.fullmatch(raw.strip()):
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if _WEEK.fullmatch(text):
        return "week"
    if _MONTH.fullmatch(text) or _ERA_MONTH.fullmatch(text):
        return "month"
    return None


def _make(year: int, month: int, day: int, raw: Any) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise ValueProblem(
            "invalid_date", Text(_("“%(value)s” is not a day of the calendar."), value=raw)
        ) from None
    return _in_range(value, raw)


def _in_range(value: date, raw: Any) -> date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueProblem(
            "date_out_of_range",
            Text(
                _("“%(value)s” is outside the years %(min)s–%(max)s."),
                value=raw,
                min=YEAR_MIN,
                max=YEAR_MAX,
            ),
        )
    return value


def _from_number(raw: float | Decimal) -> date:
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _bad(raw)
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise _bad(raw)
    if isinstance(raw, int) and 19700101 <= raw <= 20991231:  # 20260105 typed as a number
        text = str(raw)
        return _make(int(text[:4]), int(text[4:6]), int(text[6:]), raw)
    if not SERIAL_MIN <= raw <= SERIAL_MAX:
        raise _bad(raw)
    # The fraction is the time of day; the period is the day.
    return EXCEL_EPOCH + timedelta(days=int(raw))


def _week_monday(year: int, week: int, raw: Any) -> date:
    try:
        value = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueProblem(
            "invalid_date",
            Text(
                _("“%(value)s”: %(year)s has no ISO week %(week)s."),
                value=raw,
                year=year,
                week=week,
            ),
        ) from None
    return _in_range(value, raw)
