"""MRR movements as a ledger: one row per customer per month, kept once written.

Pure Python (no Django). A movement says how one customer's MRR changed in one month:
``new`` (first MRR), ``expansion``, ``contraction``, ``churn`` (down to 0, or a churn
date in the month) or ``reactivation`` (paying again after having been at 0). The
customer's MRR in any month is the ``after`` of its latest movement up to that month, so
once a month's rows are stored, a change to today's MRR adds a row for today's month and
never rewrites a past one. Retention (GRR/NRR) of a month is read from its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.saas_records import CustomerRecord, Metric, _in_month, month_start, next_month

KINDS = ("new", "expansion", "contraction", "churn", "reactivation")


@dataclass(frozen=True)
class Movement:
    """One customer's MRR change in one month (``amount`` = after − before)."""

    customer: str
    month: date
    kind: str
    before: Decimal
    after: Decimal

    @property
    def amount(self) -> Decimal:
        return self.after - self.before


def classify(before: Decimal, after: Decimal, *, paid_before: bool, churned: bool) -> str | None:
    """The kind of a move from ``before`` to ``after``, or None when nothing moved.

    ``paid_before``: the customer had MRR above 0 in some earlier month. ``churned``: it
    was lost this month (a churn date in the month), whatever its MRR says.
    """
    before, after = Decimal(before), Decimal(after)
    if churned or (before > 0 and after == 0):
        return "churn" if before > 0 else None
    if before == 0 and after > 0:
        return "reactivation" if paid_before else "new"
    if after > before:
        return "expansion"
    if after < before:
        return "contraction"
    return None


def next_movement(history: Sequence[Movement], customer: str, month: date, mrr: Decimal,
                  churned: bool = False) -> Movement | None:
    """The movement that brings ``customer`` to ``mrr`` in ``month``, given its earlier rows.

    A row already in ``month`` is replaced (its ``before`` stays: the MRR the month
    started from); rows of later months are not looked at.
    """
    earlier = sorted((m for m in history if m.customer == customer and m.month < month),
                     key=lambda m: m.month)
    before = earlier[-1].after if earlier else Decimal(0)
    paid_before = any(m.after > 0 or m.before > 0 for m in earlier)
    after = Decimal(0) if churned else Decimal(mrr)
    kind = classify(before, after, paid_before=paid_before, churned=churned)
    return Movement(customer, month, kind, before, after) if kind else None


def mrr_at(history: Iterable[Movement], customer: str, month: date) -> Decimal:
    """The customer's MRR in ``month``: the ``after`` of its latest movement up to it."""
    rows = [m for m in history if m.customer == customer and m.month <= month]
    return max(rows, key=lambda m: m.month).after if rows else Decimal(0)


def ledger_from_record(record: CustomerRecord, through: date) -> list[Movement]:
    """Rebuild a customer's movements month by month from its roster history (backfill).

    Starts at its contract month with the MRR it was first known to pay; a churn date
    ends it. Used once, for customers that predate the ledger.
    """
    rows: list[Movement] = []
    month = month_start(record.contract_date)
    while month <= through:
        churned = _in_month(record.churn_date, month)
        move = next_movement(rows, record.id, month, record.mrr_at(month), churned)
        if move:
            rows.append(move)
        if churned:
            break
        month = next_month(month)
    return rows


@dataclass(frozen=True)
class LedgerMonth:
    """A month's MRR movements, summed: the start base and what happened to it."""

    start_mrr: Decimal
    customers: int
    new: Decimal
    expansion: Decimal
    contraction: Decimal
    churned: Decimal
    reactivation: Decimal

    @property
    def nrr(self) -> float | None:
        if not self.start_mrr:
            return None
        end = self.start_mrr + self.expansion - self.contraction - self.churned
        return float(end / self.start_mrr)

    @property
    def grr(self) -> float | None:
        if not self.start_mrr:
            return None
        return float((self.start_mrr - self.contraction - self.churned) / self.start_mrr)


def ledger_month(history: Sequence[Movement], month: date) -> LedgerMonth:
    """Sum ``month``'s rows. The start base is every customer paying before ``month``;
    new and reactivated MRR are reported beside retention, not inside it."""
    customers = {m.customer for m in history}
    start_mrr, base = Decimal(0), set()
    for customer in customers:
        rows = [m for m in history if m.customer == customer and m.month < month]
        if rows and max(rows, key=lambda m: m.month).after > 0:
            base.add(customer)
            start_mrr += max(rows, key=lambda m: m.month).after
    sums = dict.fromkeys(KINDS, Decimal(0))
    for m in history:
        if m.month == month:
            sums[m.kind] += abs(m.amount)
    return LedgerMonth(start_mrr, len(base), sums["new"], sums["expansion"],
                       sums["contraction"], sums["churn"], sums["reactivation"])


def retention_metrics(history: Sequence[Movement], month: date) -> dict[str, Metric]:
    """GRR, NRR and gross revenue churn of ``month`` from the stored movements."""
    summed = ledger_month(history, month)
    if not summed.start_mrr:
        note = "undefined: no MRR at month start"
        return {key: Metric(key, None, Decimal(0), Decimal(0), note)
                for key in ("gross_revenue_churn", "grr", "nrr")}
    start = summed.start_mrr
    lost = summed.churned + summed.contraction
    kept = start - lost
    end = kept + summed.expansion
    moves = (f"expansion {summed.expansion}, contraction {summed.contraction}, "
             f"churned {summed.churned}")
    return {
        "gross_revenue_churn": Metric("gross_revenue_churn", float(lost / start), lost, start,
                                      f"churned {summed.churned}, contraction "
                                      f"{summed.contraction}"),
        "grr": Metric("grr", float(kept / start), kept, start,
                      f"expansion {summed.expansion} not counted" if summed.expansion else ""),
        "nrr": Metric("nrr", float(end / start), end, start, moves),
    }
