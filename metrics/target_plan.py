"""THE one way targets are read: stored at their own grain, compared at any grain.

A target is stored per KPI for a month, a (fiscal) quarter or the KGI deadline's month.
Every page that compares a number with its target asks ``TargetPlan.at(kpi, grain,
period_start)``; the plan converts by the KPI's aggregation:

- ``sum``: the stored value is spread evenly over the days of its period, and a compared
  period adds up the days it covers — a week from Mon 11-30 to Sun 12-06 gets 1/30 of
  November's target plus 6/31 of December's;
- ``average`` (rates, prices): not divided — the day-weighted mean of the values in force;
- ``last`` (balances): the value in force on the compared period's last day.

Which stored target governs a day: that month's target, else that quarter's, else the
latest earlier month target (a monthly plan stays until it is changed), else the KGI
deadline target of that month — or, when nothing else is known, the nearest deadline
target ahead. A quarter target never applies outside its quarter, so next quarter's
thresholds change nothing before the quarter starts. A day nobody planned makes the
compared period's target unknown (None) rather than a guess.

(Period arithmetic by days is kept here, pure, until the shared calendar lands in core.)
"""
from __future__ import annotations

import calendar
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

GRAINS = ("day", "week", "month", "quarter")
CADENCE_GRAIN = {"daily": "day", "weekly": "week", "monthly": "month"}
KIND_MONTH, KIND_QUARTER, KIND_DEADLINE = "month", "quarter", "deadline"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_days(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def quarter_start(day: date, fiscal_start_month: int = 1) -> date:
    back = (day.month - fiscal_start_month) % 3
    return add_months(month_start(day), -back)


def grain_bounds(grain: str, day: date, fiscal_start_month: int = 1) -> tuple[date, date]:
    """[start, end) of the period of ``grain`` containing ``day``."""
    if grain == "day":
        return day, day + timedelta(days=1)
    if grain == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    if grain == "month":
        start = month_start(day)
        return start, add_months(start, 1)
    if grain == "quarter":
        start = quarter_start(day, fiscal_start_month)
        return start, add_months(start, 3)
    raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")


def grain_periods(grain: str, start: date, end: date, fiscal_start_month: int = 1) -> list[date]:
    """The starts of the ``grain`` periods that overlap [start, end] (inclusive end)."""
    out = []
    day = grain_bounds(grain, start, fiscal_start_month)[0]
    while day <= end:
        out.append(day)
        day = grain_bounds(grain, day, fiscal_start_month)[1]
    return out


@dataclass(frozen=True)
class Stored:
    kind: str
    start: date  # the first day of the month/quarter it plans (deadline: its month)
    value: Decimal


class KpiTargets:
    """One KPI's current stored targets and the rule for which governs a day."""

    def __init__(self, rows: list[Stored], fiscal_start_month: int = 1):
        self.fiscal = fiscal_start_month
        self.months = {r.start: r for r in rows if r.kind == KIND_MONTH}
        self.month_starts = sorted(self.months)
        self.quarters = {r.start: r for r in rows if r.kind == KIND_QUARTER}
        self.deadlines = sorted((r for r in rows if r.kind == KIND_DEADLINE),
                                key=lambda r: r.start)
        self._cache: dict[date, tuple[Decimal, int] | None] = {}

    def governing(self, day: date) -> tuple[Decimal, int] | None:
        """(value, days of the planned period the value is spread over) in force on ``day``."""
        month = month_start(day)
        if month not in self._cache:
            self._cache[month] = self._governing_month(month)
        answer = self._cache[month]
        if answer is not None and answer[1] < 0:  # a quarter: spread over its own days
            return answer[0], -answer[1]
        return answer

    def _governing_month(self, month: date):
        if month in self.months:
            return self.months[month].value, month_days(month)
        quarter = quarter_start(month, self.fiscal)
        # Quarter targets may have been stored on a calendar quarter under another fiscal
        # setting; any stored quarter covering this month counts.
        for start in (quarter, add_months(month, -1), add_months(month, -2), month):
            row = self.quarters.get(start)
            if row is not None:
                days = (add_months(start, 3) - start).days
                return row.value, -days
        index = bisect_right(self.month_starts, month)
        if index:
            return self.months[self.month_starts[index - 1]].value, month_days(month)
        for row in self.deadlines:
            if row.start == month:
                return row.value, month_days(month)
        ahead = [r for r in self.deadlines if r.start > month]
        if ahead:
            return ahead[0].value, month_days(month)
        return None

    def at(self, aggregation: str, start: date, end: date) -> Decimal | None:
        """The target of [start, end) for a KPI aggregated by ``aggregation``."""
        days = (end - start).days
        if days <= 0:
            return None
        if aggregation == "last":
            found = self.governing(end - timedelta(days=1))
            return None if found is None else found[0]
        total = Decimal(0)
        day = start
        while day < end:
            found = self.governing(day)
            if found is None:
                return None
            # Every day of one month shares the governing target: take the run at once.
            run_end = min(end, add_months(month_start(day), 1))
            run = (run_end - day).days
            value, spread = found
            total += value * run / spread if aggregation == "sum" else value * run
            day = run_end
        return total if aggregation == "sum" else total / days


class TargetPlan:
    """Targets of many KPIs, loaded once; ``at`` answers one KPI at one grain and period."""

    def __init__(self, rows_by_kpi: dict[int, list[Stored]], fiscal_start_month: int = 1):
        self.fiscal = fiscal_start_month
        self.by_kpi = {k: KpiTargets(v, fiscal_start_month) for k, v in rows_by_kpi.items()}

    def has_any(self, kpi_id: int) -> bool:
        return kpi_id in self.by_kpi

    def at(self, kpi, grain: str | None, period_start: date) -> Decimal | None:
        """The target of ``kpi`` for the ``grain`` period containing ``period_start``.

        ``kpi`` needs ``pk``, ``aggregation`` and ``cadence`` (a Kpi or a KpiRow); the
        grain defaults to the KPI's cadence.
        """
        targets = self.by_kpi.get(kpi.pk)
        if targets is None or period_start is None:
            return None
        grain = grain or CADENCE_GRAIN[kpi.cadence]
        start, end = grain_bounds(grain, period_start, self.fiscal)
        return targets.at(kpi.aggregation, start, end)

    def series(self, kpi, grain: str | None, start: date, end: date) -> list[tuple[date, Decimal]]:
        """[(period_start, target)] for the ``grain`` periods overlapping [start, end]."""
        grain = grain or CADENCE_GRAIN[kpi.cadence]
        out = []
        for period in grain_periods(grain, start, end, self.fiscal):
            value = self.at(kpi, grain, period)
            if value is not None:
                out.append((period, value))
        return out
