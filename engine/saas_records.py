"""The customer roster for the SaaS metrics: one record per customer, months, populations.

Pure Python (no Django). Conventions: see ``engine.saas``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ONBOARDING_STATUSES = ("complete", "in_progress", "not_started")

Number = int | float | Decimal


@dataclass(frozen=True)
class CustomerRecord:
    """One row of the customer-success roster.

    ``mrr_history`` maps the first day of a month to the MRR billed from that month on; a
    month without an entry carries the latest earlier entry forward, and a customer with
    no entry before the month falls back to the constant ``mrr``.
    """

    id: str
    contract_date: date
    churn_date: date | None = None
    onboarding_status: str | None = None
    onboarding_completed_on: date | None = None
    last_login: date | None = None
    nps: int | None = None
    csat: int | None = None
    mrr: Decimal = Decimal(0)
    mrr_history: Mapping[date, Decimal] = field(default_factory=dict, hash=False)
    notes: str = ""

    def __post_init__(self) -> None:
        if self.churn_date is not None and self.churn_date < self.contract_date:
            raise ValueError(f"{self.id}: churn_date is before contract_date")
        if self.onboarding_status not in (None, *ONBOARDING_STATUSES):
            raise ValueError(f"{self.id}: unknown onboarding_status {self.onboarding_status!r}")
        if self.nps is not None and not 0 <= self.nps <= 10:
            raise ValueError(f"{self.id}: NPS must be 0-10, got {self.nps}")
        if self.csat is not None and not 1 <= self.csat <= 5:
            raise ValueError(f"{self.id}: CSAT must be 1-5, got {self.csat}")
        if Decimal(self.mrr) < 0 or any(Decimal(v) < 0 for v in self.mrr_history.values()):
            raise ValueError(f"{self.id}: MRR cannot be negative")
        for month in self.mrr_history:
            _require_month_start(month)

    def is_active_on(self, day: date) -> bool:
        """Whether the customer had signed by ``day`` and not yet churned."""
        return self.contract_date <= day and (self.churn_date is None or self.churn_date > day)

    def mrr_at(self, month: date) -> Decimal:
        """MRR billed from the start of ``month``: the latest history entry on or before it."""
        earlier = [m for m in self.mrr_history if m <= month]
        if earlier:
            return Decimal(self.mrr_history[max(earlier)])
        return Decimal(self.mrr)

    @property
    def onboarding_complete(self) -> bool:
        return self.onboarding_status == "complete" or self.onboarding_completed_on is not None


@dataclass(frozen=True)
class Metric:
    """A computed figure with the numbers it came from; ``value`` is None when undefined."""

    key: str
    value: float | None
    numerator: Number | None
    denominator: Number | None
    note: str = ""
    unit: str = "ratio"  # "ratio" | "score" (NPS -100..100) | "points" | "currency" | "count"


# --- month helpers -----------------------------------------------------------------------


def _require_month_start(month: date) -> None:
    if month.day != 1:
        raise ValueError(f"a month is given by its first day, got {month.isoformat()}")


def month_start(day: date) -> date:
    """The first day of the month containing ``day``."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s month (Jan → Mar is 2)."""
    return (end.year - start.year) * 12 + end.month - start.month


def _in_month(day: date | None, month: date) -> bool:
    return day is not None and month <= day < next_month(month)


def _ratio(numerator: Number, denominator: Number) -> float:
    return float(Decimal(numerator) / Decimal(denominator))


# --- populations -------------------------------------------------------------------------


def active_at_start(records: Iterable[CustomerRecord], month: date) -> list[CustomerRecord]:
    """Customers signed before ``month`` and not churned before it."""
    _require_month_start(month)
    return [
        r
        for r in records
        if r.contract_date < month and (r.churn_date is None or r.churn_date >= month)
    ]


def active_during(records: Iterable[CustomerRecord], month: date) -> list[CustomerRecord]:
    """Customers active on at least one day of ``month`` (the survey population)."""
    _require_month_start(month)
    end = next_month(month)
    return [
        r
        for r in records
        if r.contract_date < end and (r.churn_date is None or r.churn_date > month)
    ]
