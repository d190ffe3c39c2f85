"""Onboarding completion and survey scores (NPS, CSAT) for the SaaS metrics.

Pure Python (no Django). Conventions: see ``engine.saas``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from engine.saas_records import (
    CustomerRecord,
    Metric,
    _in_month,
    _ratio,
    _require_month_start,
)

ONBOARDING_WINDOW_DAYS = 30


# --- onboarding ---------------------------------------------------------------------------


def onboarded_in_window(record: CustomerRecord, window_days: int = ONBOARDING_WINDOW_DAYS) -> bool:
    """Whether onboarding was completed within ``window_days`` of the contract.

    A roster often says only "complete" without a date; such a customer counts as on time.
    """
    if record.onboarding_completed_on is not None:
        return (record.onboarding_completed_on - record.contract_date).days <= window_days
    return record.onboarding_status == "complete"


def window_elapsed(
    record: CustomerRecord, as_of: date, window_days: int = ONBOARDING_WINDOW_DAYS
) -> bool:
    """Whether the customer's onboarding window has fully passed by ``as_of``."""
    return record.contract_date + timedelta(days=window_days) <= as_of


def onboarding_completion(
    records: Sequence[CustomerRecord],
    month: date,
    as_of: date,
    window_days: int = ONBOARDING_WINDOW_DAYS,
) -> Metric:
    """Contracts signed in ``month`` that completed onboarding within the window ÷ contracts.

    The cohort is the contracts signed in the month. Contracts whose window has not yet
    elapsed on ``as_of`` are left out entirely (counting only the quick finishers among them
    would flatter the rate) and the note says how many.
    """
    _require_month_start(month)
    signed = [r for r in records if _in_month(r.contract_date, month)]
    decided = [r for r in signed if window_elapsed(r, as_of, window_days)]
    pending = len(signed) - len(decided)
    completed = sum(1 for r in decided if onboarded_in_window(r, window_days))
    notes = []
    if pending:
        notes.append(f"{pending} contracts excluded: {window_days}-day window not yet elapsed")
    undated = sum(1 for r in decided if r.onboarding_completed_on is None and r.onboarding_complete)
    if undated:
        notes.append(f"{undated} marked complete without a date, counted as on time")
    if not decided:
        reason = "no contracts signed in the month" if not signed else "no window elapsed yet"
        notes.insert(0, f"undefined: {reason}")
        return Metric("onboarding_completion", None, 0, 0, "; ".join(notes))
    return Metric(
        "onboarding_completion",
        _ratio(completed, len(decided)),
        completed,
        len(decided),
        "; ".join(notes),
    )


# --- surveys ------------------------------------------------------------------------------


def nps_score(scores: Iterable[int]) -> Metric:
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6), from −100 to +100."""
    values = list(scores)
    if not values:
        return Metric("nps", None, 0, 0, "undefined: no NPS responses", unit="score")
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if s <= 6)
    passives = len(values) - promoters - detractors
    return Metric(
        "nps",
        100.0 * (promoters - detractors) / len(values),
        promoters - detractors,
        len(values),
        f"{promoters} promoters, {passives} passives, {detractors} detractors",
        unit="score",
    )


def nps_average(scores: Iterable[int]) -> Metric:
    """The plain mean of the 0–10 answers."""
    values = list(scores)
    if not values:
        return Metric("nps_average", None, 0, 0, "undefined: no NPS responses", unit="points")
    return Metric("nps_average", sum(values) / len(values), sum(values), len(values), unit="points")


def csat_score(scores: Iterable[int]) -> Metric:
    """Customer satisfaction: share of 4–5 answers on a 1–5 scale."""
    values = list(scores)
    if not values:
        return Metric("csat", None, 0, 0, "undefined: no CSAT responses")
    satisfied = sum(1 for s in values if s >= 4)
    return Metric("csat", _ratio(satisfied, len(values)), satisfied, len(values))
