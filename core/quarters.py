"""Fiscal quarters: which quarter a date falls in, its label, dates and neighbours.

Pure Python, no Django. Naming rule: a fiscal year is named by the calendar year it
*starts* in. With an April start, FY2026 runs 2026-04-01 … 2027-03-31, so 2026Q1 is
April–June 2026 and 2026Q4 is January–March 2027. With a January start the fiscal
year is the calendar year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

LABEL = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    fiscal_year: int
    number: int
    start_month: int = field(default=1, compare=False)

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1–4, not {self.number}")
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"fiscal year start month must be 1–12, not {self.start_month}")

    @property
    def label(self) -> str:
        return f"{self.fiscal_year}Q{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> date:
        months = self.start_month - 1 + 3 * (self.number - 1)
        return date(self.fiscal_year + months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter (inclusive)."""
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.fiscal_year + 1, 1, self.start_month)
        return Quarter(self.fiscal_year, self.number + 1, self.start_month)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.fiscal_year - 1, 4, self.start_month)
        return Quarter(self.fiscal_year, self.number - 1, self.start_month)

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


def parse_quarter(label: str, start_month: int = 1) -> Quarter:
    """``"2026Q4"`` → Quarter; raise ValueError for anything else."""
    match = LABEL.match((label or "").strip().upper())
    if not match:
        raise ValueError(f"not a quarter label like 2026Q4: {label!r}")
    return Quarter(int(match.group(1)), int(match.group(2)), start_month)
