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
    month without an entry carries the latest earlier entry forward. Months before the
    first entry take the first entry (what the customer was first known to pay), never
    today's ``mrr``, so a past month does not change when today's MRR does. Without any
    history the constant ``mrr`` holds for every month.
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
    # Answers by the day they were given: a month's NPS/CSAT reads the latest answer given
    # by its end, so a new answer does not rewrite past months. Without answers by date,
    # ``nps``/``csat`` are used as they are.
    nps_answers: Mapping[date, int] = field(default_factory=dict, hash=False)
    csat_answers: Mapping[date, int] = field(default_factory=dict, hash=False)

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
        if self.mrr_history:
            return Decimal(self.mrr_history[min(self.mrr_history)])
        return Decimal(self.mrr)

    def lapsed_at_start(self, month: date) -> bool:
        """Its MRR was down to 0 before ``month`` after having been above 0 (a lost logo)."""
        before = previous_month(month)
        return (self.mrr_at(before) == 0
                and any(Decimal(v) > 0 for m, v in self.mrr_history.items() if m <= before))

    def dropped_to_zero_in(self, month: date) -> bool:
        """Its MRR went from above 0 to 0 in ``month``: churned, even without a churn date."""
        return self.mrr_at(month) == 0 and self.mrr_at(previous_month(month)) > 0

    def churned_in(self, month: date) -> bool:
        return _in_month(self.churn_date, month) or self.dropped_to_zero_in(month)

    def nps_by(self, day: date) -> int | None:
        """The latest NPS answer given before ``day``."""
        return _latest(self.nps_answers, day, self.nps)

    def csat_by(self, day: date) -> int | None:
        """The latest CSAT answer given before ``day``."""
        return _latest(self.csat_answers, day, self.csat)

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


def _latest(answers: Mapping[date, int], day: date, undated: int | None) -> int | None:
    if not answers:
        return undated
    given = [d for d in answers if d < day]
    return answers[max(given)] if given else None


def _require_month_start(month: date) -> None:
    if month.day != 1:
        raise ValueError(f"a month is given by its first day, got {month.isoformat()}")


def month_start(day: date) -> date:
    """The first day of the month containing ``day``."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    """The first day of the month before ``month``."""
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


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
        and not r.lapsed_at_start(month)
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
