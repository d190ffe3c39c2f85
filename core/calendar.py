"""The one calendar: ISO weeks, months, fiscal quarters, periods and their day shares.

Pure Python on python-dateutil, no Django, so every app — and the pure spreadsheet reader —
can use it (import-linter holds it to that). Conventions:

- A *period* is named by its first day: the day itself (daily), the ISO week's Monday
  (weekly) or the month's 1st (monthly). ``period_end`` is the day *after* the period.
- A *week* is an ISO week, labelled ``2026-W49`` with the ISO year (which differs from the
  calendar year around New Year: 2027-01-01 is in 2026-W53).
- A *month* is labelled ``2026-12``.
- A *quarter* is always a **fiscal** quarter of the company (``Company.fiscal_year_start_month``;
  January makes it the calendar quarter). A fiscal year is named by the calendar year it
  starts in: with an April start FY2026 runs 2026-04-01 … 2027-03-31, so FY2026 Q4 is
  January–March 2027. Users see ``FY2026 Q4`` (``Quarter.label``); URLs, the API and stored
  objectives use the code ``2026Q4`` (``Quarter.code``), and ``parse_quarter`` accepts both.
"""
from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
CADENCES = (DAILY, WEEKLY, MONTHLY)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(?:FY\s*)?(\d{4})\s*[-_ ]?\s*Q([1-4])$")


# --------------------------------------------------------------------------- weeks


class IsoWeek(NamedTuple):
    """An ISO week: (iso_year, iso_week, monday); unpacks like the tuple it is."""

    year: int
    week: int
    monday: date

    @property
    def label(self) -> str:
        return week_label(self.year, self.week)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def week_of(day: date) -> IsoWeek:
    """The ISO week containing ``day``."""
    iso = day.isocalendar()
    return IsoWeek(iso.year, iso.week, day - timedelta(days=day.weekday()))


def week_label(iso_year: int, iso_week: int) -> str:
    """2026, 49 → '2026-W49'."""
    return f"{iso_year}-W{iso_week:02d}"


def iso_week_label(day: date) -> str:
    """The label of the ISO week containing ``day`` (2027-01-01 → '2026-W53')."""
    return week_of(day).label


def parse_week(label: str | None) -> IsoWeek | None:
    """'2026-W53' → IsoWeek; None for anything that is not a real ISO week."""
    match = _WEEK.match(label or "")
    if not match:
        return None
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return IsoWeek(year, week, monday)


def local_today(tz_name: str, now: datetime | None = None) -> date:
    """Today's date in the time zone ``tz_name`` (an aware ``now`` may be given)."""
    now = now or datetime.now(UTC)
    return now.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def team_today(team, now: datetime | None = None) -> date:
    """Today's date where the team works (its time zone decides which week it is)."""
    return local_today(team.timezone, now)


# --------------------------------------------------------------------------- months


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The 1st of the month ``months`` after (or before, when negative) ``day``'s month."""
    return month_start(day) + relativedelta(months=months)


def next_month(day: date) -> date:
    return add_months(day, 1)


def previous_month(day: date) -> date:
    return add_months(day, -1)


def days_in_month(day: date) -> int:
    return (next_month(day) - month_start(day)).days


def month_key(day: date) -> str:
    """date(2026, 12, 5) → '2026-12'."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str | None) -> date | None:
    """'2026-12' → date(2026, 12, 1); None for anything else (years 1970–2200)."""
    match = _MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1970 <= year <= 2200):
        return None
    return date(year, month, 1)


def months_between(first: date, later: date) -> int:
    """How many months ``later``'s month is after ``first``'s."""
    return (later.year - first.year) * 12 + later.month - first.month


# --------------------------------------------------------------------------- periods


def _check(cadence: str) -> None:
    if cadence not in CADENCES:
        raise ValueError(f"unknown cadence {cadence!r}; expected one of {CADENCES}")


@functools.lru_cache(maxsize=8192)  # pure; an import asks for the same few periods over and over
def period_start(day: date, cadence: str) -> date:
    """The first day of the period containing ``day``: itself, its ISO week's Monday, its 1st."""
    _check(cadence)
    if cadence == DAILY:
        return day
    if cadence == WEEKLY:
        return week_of(day).monday
    return month_start(day)


def next_period(start: date, cadence: str) -> date:
    """The start of the period after the one starting on ``start`` (= its ``period_end``)."""
    _check(cadence)
    if cadence == DAILY:
        return start + timedelta(days=1)
    if cadence == WEEKLY:
        return start + timedelta(days=7)
    return next_month(start)


def period_end(start: date, cadence: str) -> date:
    """The day after the period that starts on ``start``."""
    return next_period(start, cadence)


def previous_period(start: date, cadence: str) -> date:
    """The start of the period before the one containing ``start``."""
    return period_start(period_start(start, cadence) - timedelta(days=1), cadence)


def period_days(start: date, cadence: str) -> int:
    """How many days the period starting on ``start`` has (1, 7, 28–31)."""
    return (period_end(start, cadence) - start).days


def steps_between(first: date, later: date, cadence: str) -> int:
    """How many periods ``later`` is after ``first`` (both period starts)."""
    _check(cadence)
    if cadence == DAILY:
        return (later - first).days
    if cadence == WEEKLY:
        return (later - first).days // 7
    return months_between(first, later)


def period_grid(first: date, last: date, cadence: str) -> list[date]:
    """Every period start from ``first`` to ``last`` inclusive."""
    out, day = [], first
    while day <= last:
        out.append(day)
        day = next_period(day, cadence)
    return out


def last_periods(cadence: str, today: date, count: int) -> list[date]:
    """The starts of the last ``count`` periods up to and including today's, oldest first."""
    periods = [period_start(today, cadence)]
    while len(periods) < count:
        periods.append(previous_period(periods[-1], cadence))
    return periods[::-1]


def subperiods(start: date, cadence: str, input_cadence: str) -> list[date]:
    """The ``input_cadence`` periods that make up a period: a week belongs to its Monday's month.

    A monthly input has one part, the month the period starts in (a weekly or daily
    period reads its month's value).
    """
    if input_cadence == MONTHLY:
        return [month_start(start)]
    end = period_end(start, cadence)
    first = period_start(start, input_cadence)
    if first < start:
        first = next_period(first, input_cadence)
    out, day = [], first
    while day < end:
        out.append(day)
        day = next_period(day, input_cadence)
    return out


def subperiod_weights(start: date, cadence: str, input_cadence: str) -> list[tuple[date, float]]:
    """The input periods that overlap the period, each with the share of its days inside.

    A week from Monday 29 September counts 2/7 in September and 5/7 in October, so a
    month's total from weekly numbers does not depend on how many Mondays it has.
    """
    end = period_end(start, cadence)
    out = []
    day = period_start(start, input_cadence)
    while day < end:
        nxt = period_end(day, input_cadence)
        inside = (min(nxt, end) - max(day, start)).days
        if inside > 0:
            out.append((day, inside / (nxt - day).days))
        day = nxt
    return out


def days_in(start: date, cadence: str, month: date) -> int:
    """How many days of the period starting on ``start`` fall in ``month``'s month."""
    first, end = max(start, month_start(month)), min(period_end(start, cadence), next_month(month))
    return max(0, (end - first).days)


def month_shares(start: date, cadence: str) -> dict[date, int]:
    """The period's days by month: a week from Mon 30 Nov → {Nov 1: 1, Dec 1: 6}."""
    shares, day, end = {}, start, period_end(start, cadence)
    while day < end:
        month = month_start(day)
        shares[month] = days_in(start, cadence, month)
        day = next_month(month)
    return shares


# --------------------------------------------------------------------------- quarters


@dataclass(frozen=True, order=True)
class Quarter:
    """A fiscal quarter; ``start_month`` is the month the company's fiscal year starts in."""

    fiscal_year: int
    number: int
    start_month: int = field(default=1, compare=False)

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1–4, not {self.number}")
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"fiscal year start month must be 1–12, not {self.start_month}")

    @property
    def code(self) -> str:
        """'2026Q4': the form URLs, the API and stored objectives use."""
        return f"{self.fiscal_year}Q{self.number}"

    @property
    def label(self) -> str:
        """'FY2026 Q4': the form people read (always the fiscal quarter)."""
        return f"FY{self.fiscal_year} Q{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> date:
        return date(self.fiscal_year, self.start_month, 1) + relativedelta(
            months=3 * (self.number - 1))

    @property
    def end(self) -> date:
        """The last day of the quarter (inclusive)."""
        return self.start + relativedelta(months=3, days=-1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def next(self) -> Quarter:
        return quarter_of(self.start + relativedelta(months=3), self.start_month)

    def previous(self) -> Quarter:
        return quarter_of(self.start - relativedelta(months=3), self.start_month)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def elapsed_fraction(self, today: date) -> float:
        """How much of the quarter has passed on ``today`` (0 before it, 1 after it)."""
        if today < self.start:
            return 0.0
        if today > self.end:
            return 1.0
        return ((today - self.start).days + 1) / self.days


def quarter_of(day: date, start_month: int = 1) -> Quarter:
    """The fiscal quarter containing ``day`` when the fiscal year starts in ``start_month``."""
    offset = (day.month - start_month) % 12
    fiscal_year = day.year if day.month >= start_month else day.year - 1
    return Quarter(fiscal_year, offset // 3 + 1, start_month)


def parse_quarter(text: str | None, start_month: int = 1) -> Quarter:
    """'FY2026 Q4', 'FY2026-Q4' or the older '2026Q4' → the fiscal Quarter; else ValueError."""
    match = _QUARTER.match((text or "").strip().upper())
    if not match:
        raise ValueError(f"not a quarter like FY2026 Q4 or 2026Q4: {text!r}")
    return Quarter(int(match.group(1)), int(match.group(2)), start_month)
