"""Customer-success metrics from a customer roster: churn, GRR/NRR, onboarding, NPS/CSAT, LTV.

Pure Python (no Django). Conventions used throughout:

- A *month* is given by its first day (``date(2024, 3, 1)``); anything else is refused.
- A customer is *active on day d* when ``contract_date <= d`` and it has not churned by then
  (``churn_date is None or churn_date > d``). ``churn_date`` is the day the customer was lost.
- A customer is *active at the start of month M* when it signed **before** M and had not
  churned before M. A customer signed on the 1st therefore counts as joining during M.
- Rates are ratios (0.1 means 10 %); NPS is a score from -100 to +100; money is ``Decimal``
  in the numerator/denominator and a float in ``Metric.value``.
- A metric that cannot be computed has ``value=None`` and a note that starts with
  ``"undefined:"`` saying why, never a silent zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

ONBOARDING_STATUSES = ("complete", "in_progress", "not_started")
ONBOARDING_WINDOW_DAYS = 30
DEFAULT_GROSS_MARGIN = 0.8

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


# --- churn and revenue retention ---------------------------------------------------------


def logo_churn(records: Sequence[CustomerRecord], month: date) -> Metric:
    """Customers lost in ``month`` ÷ customers active at its start.

    A customer who signed and churned within the same month was never active at its start,
    so it is in neither the numerator nor the denominator; the note counts them.
    """
    start = active_at_start(records, month)
    lost = sum(1 for r in start if _in_month(r.churn_date, month))
    same_month = sum(
        1 for r in records if _in_month(r.contract_date, month) and _in_month(r.churn_date, month)
    )
    note = f"{same_month} joined and left within the month, excluded" if same_month else ""
    if not start:
        return Metric("logo_churn", None, lost, 0, "undefined: no customers active at month start")
    return Metric("logo_churn", _ratio(lost, len(start)), lost, len(start), note)


@dataclass(frozen=True)
class RevenueMovement:
    """How the MRR of the customers active at a month's start moved during that month."""

    start_mrr: Decimal
    expansion: Decimal
    contraction: Decimal
    churned: Decimal
    customers: int

    @property
    def end_mrr(self) -> Decimal:
        return self.start_mrr + self.expansion - self.contraction - self.churned


def revenue_movement(records: Sequence[CustomerRecord], month: date) -> RevenueMovement:
    """Split the month's MRR change of start-of-month customers into expansion/contraction/churn.

    New customers signed during the month are left out: retention measures the existing base.
    """
    start = active_at_start(records, month)
    following = next_month(month)
    start_mrr = expansion = contraction = churned = Decimal(0)
    for record in start:
        before = record.mrr_at(month)
        start_mrr += before
        if _in_month(record.churn_date, month):
            churned += before
            continue
        change = record.mrr_at(following) - before
        if change > 0:
            expansion += change
        else:
            contraction -= change
    return RevenueMovement(start_mrr, expansion, contraction, churned, len(start))


def _no_start_mrr(key: str, movement: RevenueMovement) -> Metric | None:
    if movement.start_mrr == 0:
        reason = "no customers active" if not movement.customers else "no MRR"
        return Metric(key, None, Decimal(0), Decimal(0), f"undefined: {reason} at month start")
    return None


def gross_revenue_churn(records: Sequence[CustomerRecord], month: date) -> Metric:
    """(Churned MRR + contraction MRR) ÷ MRR at the month's start."""
    movement = revenue_movement(records, month)
    lost = movement.churned + movement.contraction
    undefined = _no_start_mrr("gross_revenue_churn", movement)
    if undefined:
        return undefined
    note = f"churned {movement.churned}, contraction {movement.contraction}"
    return Metric(
        "gross_revenue_churn", _ratio(lost, movement.start_mrr), lost, movement.start_mrr, note
    )


def grr(records: Sequence[CustomerRecord], month: date) -> Metric:
    """Gross revenue retention: 1 − gross revenue churn; expansion never lifts it above 100 %."""
    movement = revenue_movement(records, month)
    undefined = _no_start_mrr("grr", movement)
    if undefined:
        return undefined
    kept = movement.start_mrr - movement.churned - movement.contraction
    value = min(1.0, _ratio(kept, movement.start_mrr))
    note = f"expansion {movement.expansion} not counted" if movement.expansion else ""
    return Metric("grr", value, kept, movement.start_mrr, note)


def nrr(records: Sequence[CustomerRecord], month: date) -> Metric:
    """Net revenue retention: (start + expansion − contraction − churned) ÷ start MRR."""
    movement = revenue_movement(records, month)
    undefined = _no_start_mrr("nrr", movement)
    if undefined:
        return undefined
    note = (
        f"expansion {movement.expansion}, contraction {movement.contraction}, "
        f"churned {movement.churned}"
    )
    return Metric(
        "nrr",
        _ratio(movement.end_mrr, movement.start_mrr),
        movement.end_mrr,
        movement.start_mrr,
        note,
    )


def arpa(records: Sequence[CustomerRecord], month: date) -> Metric:
    """Average MRR per customer active at the month's start."""
    movement = revenue_movement(records, month)
    if not movement.customers:
        return Metric(
            "arpa",
            None,
            Decimal(0),
            0,
            "undefined: no customers active at month start",
            unit="currency",
        )
    return Metric(
        "arpa",
        _ratio(movement.start_mrr, movement.customers),
        movement.start_mrr,
        movement.customers,
        unit="currency",
    )


def ltv(
    records: Sequence[CustomerRecord], month: date, gross_margin: float = DEFAULT_GROSS_MARGIN
) -> Metric:
    """Lifetime value = ARPA × gross margin ÷ monthly logo churn."""
    _check_margin(gross_margin)
    average = arpa(records, month)
    churn = logo_churn(records, month)
    if average.value is None:
        return Metric("ltv", None, None, None, average.note, unit="currency")
    if not churn.value:
        return Metric(
            "ltv",
            None,
            average.value * gross_margin,
            0.0,
            "undefined: no churn this month",
            unit="currency",
        )
    margin_per_month = average.value * gross_margin
    return Metric(
        "ltv",
        margin_per_month / churn.value,
        margin_per_month,
        churn.value,
        f"ARPA {average.value:g} × margin {gross_margin:g} ÷ churn {churn.value:g}",
        unit="currency",
    )


def _check_margin(gross_margin: float) -> None:
    if not 0 < gross_margin <= 1:
        raise ValueError(f"gross_margin must be in (0, 1], got {gross_margin}")


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


# --- the month at a glance ----------------------------------------------------------------

METRIC_KEYS = (
    "logo_churn",
    "gross_revenue_churn",
    "grr",
    "nrr",
    "arpa",
    "ltv",
    "onboarding_completion",
    "nps",
    "nps_average",
    "csat",
)


def monthly_metrics(
    records: Sequence[CustomerRecord],
    month: date,
    gross_margin: float = DEFAULT_GROSS_MARGIN,
    as_of: date | None = None,
) -> dict[str, Metric]:
    """Every customer-success metric for ``month``, keyed as in ``METRIC_KEYS``.

    NPS and CSAT use the latest answer of each customer active during the month.
    ``as_of`` (default: the day after the month, i.e. computed as soon as it closed) decides
    which onboarding windows have elapsed.
    """
    _require_month_start(month)
    records = list(records)
    as_of = as_of or next_month(month)
    surveyed = active_during(records, month)
    return {
        "logo_churn": logo_churn(records, month),
        "gross_revenue_churn": gross_revenue_churn(records, month),
        "grr": grr(records, month),
        "nrr": nrr(records, month),
        "arpa": arpa(records, month),
        "ltv": ltv(records, month, gross_margin),
        "onboarding_completion": onboarding_completion(records, month, as_of),
        "nps": nps_score(r.nps for r in surveyed if r.nps is not None),
        "nps_average": nps_average(r.nps for r in surveyed if r.nps is not None),
        "csat": csat_score(r.csat for r in surveyed if r.csat is not None),
    }


# --- at-risk list -------------------------------------------------------------------------

DEFAULT_RISK_WORDS = ("解約", "不満", "高い", "使いにくい", "cancel")


@dataclass(frozen=True)
class AtRiskRules:
    """Thresholds for flagging a customer; each rule can be switched off with None."""

    onboarding_days: int | None = 30
    no_login_days: int | None = 30
    nps_max: int | None = 6
    note_words: tuple[str, ...] = DEFAULT_RISK_WORDS


@dataclass(frozen=True)
class RiskReason:
    """Why a customer is at risk: a stable code plus the figures behind it.

    Codes: ``onboarding_incomplete`` {days_since_contract, limit}, ``no_recent_login``
    {days_since_login (None = never), limit}, ``low_nps`` {nps, limit},
    ``note_words`` {words}.
    """

    code: str
    params: Mapping[str, object]


def risk_reasons(record: CustomerRecord, today: date, rules: AtRiskRules) -> list[RiskReason]:
    """The rules ``record`` breaks on ``today``, in a fixed order."""
    reasons: list[RiskReason] = []
    tenure = (today - record.contract_date).days
    if (
        rules.onboarding_days is not None
        and not record.onboarding_complete
        and tenure >= rules.onboarding_days
    ):
        reasons.append(
            RiskReason(
                "onboarding_incomplete",
                {"days_since_contract": tenure, "limit": rules.onboarding_days},
            )
        )
    if rules.no_login_days is not None:
        # Never logged in counts from the contract date, so a brand-new customer isn't flagged.
        since = None if record.last_login is None else (today - record.last_login).days
        if (since if since is not None else tenure) >= rules.no_login_days:
            reasons.append(
                RiskReason(
                    "no_recent_login", {"days_since_login": since, "limit": rules.no_login_days}
                )
            )
    if rules.nps_max is not None and record.nps is not None and record.nps <= rules.nps_max:
        reasons.append(RiskReason("low_nps", {"nps": record.nps, "limit": rules.nps_max}))
    notes = record.notes.casefold()
    words = [w for w in rules.note_words if w.casefold() in notes]
    if words:
        reasons.append(RiskReason("note_words", {"words": words}))
    return reasons


def at_risk(
    records: Sequence[CustomerRecord], today: date, rules: AtRiskRules | None = None
) -> list[tuple[str, list[RiskReason]]]:
    """Customers active on ``today`` that break at least one rule, most reasons first.

    Ties keep the roster order.
    """
    rules = rules or AtRiskRules()
    flagged = []
    for record in records:
        if not record.is_active_on(today):
            continue
        reasons = risk_reasons(record, today, rules)
        if reasons:
            flagged.append((record.id, reasons))
    flagged.sort(key=lambda item: -len(item[1]))
    return flagged


# --- onboarding → churn → LTV -------------------------------------------------------------


class CohortGroup(NamedTuple):
    """Size of a group, how many of it had churned, and that share (None when empty)."""

    n: int
    churned: int
    churn_rate: float | None


@dataclass(frozen=True)
class Cohort:
    """Customers signed in one month, split by whether onboarding finished within the window.

    ``pending`` counts customers whose window had not elapsed on ``as_of`` (in neither group).
    """

    contract_month: date
    completed: CohortGroup
    not_completed: CohortGroup
    pending: int = 0


def _group(records: Sequence[CustomerRecord], as_of: date) -> CohortGroup:
    churned = sum(1 for r in records if r.churn_date is not None and r.churn_date <= as_of)
    return CohortGroup(len(records), churned, _ratio(churned, len(records)) if records else None)


def _split_by_onboarding(
    records: Iterable[CustomerRecord], as_of: date, window_days: int
) -> tuple[list[CustomerRecord], list[CustomerRecord], int]:
    completed, not_completed, pending = [], [], 0
    for record in records:
        if record.contract_date > as_of:
            continue
        if not window_elapsed(record, as_of, window_days):
            pending += 1
        elif onboarded_in_window(record, window_days):
            completed.append(record)
        else:
            not_completed.append(record)
    return completed, not_completed, pending


def onboarding_cohorts(
    records: Sequence[CustomerRecord], as_of: date, window_days: int = ONBOARDING_WINDOW_DAYS
) -> list[Cohort]:
    """Per contract month, the share lost by ``as_of`` of on-time onboarders vs the rest."""
    by_month: dict[date, list[CustomerRecord]] = {}
    for record in records:
        if record.contract_date <= as_of:
            by_month.setdefault(month_start(record.contract_date), []).append(record)
    cohorts = []
    for contract_month in sorted(by_month):
        completed, not_completed, pending = _split_by_onboarding(
            by_month[contract_month], as_of, window_days
        )
        cohorts.append(
            Cohort(contract_month, _group(completed, as_of), _group(not_completed, as_of), pending)
        )
    return cohorts


@dataclass(frozen=True)
class LtvSegment:
    """Churn and LTV of one onboarding segment.

    ``monthly_churn`` = churned ÷ customer-months, where a customer's months run from its
    contract month to its churn month (or ``as_of``'s month), at least one.
    """

    n: int
    churned: int
    customer_months: int
    monthly_churn: float | None
    ltv: float | None


@dataclass(frozen=True)
class LtvGap:
    """The causal chain onboarding → churn → LTV, with one ARPA so the gap is churn alone."""

    arpa: float | None
    gross_margin: float
    completed: LtvSegment
    not_completed: LtvSegment
    difference: float | None  # completed.ltv − not_completed.ltv
    note: str = ""


def _last_mrr(record: CustomerRecord, as_of: date) -> Decimal:
    """The MRR the customer last paid: in its churn month if lost, else in ``as_of``'s month."""
    until = record.churn_date if record.churn_date and record.churn_date <= as_of else as_of
    return record.mrr_at(month_start(until))


def _segment(
    records: Sequence[CustomerRecord], as_of: date, margin_per_month: float | None
) -> LtvSegment:
    churned = months = 0
    for record in records:
        lost = record.churn_date is not None and record.churn_date <= as_of
        churned += lost
        end = record.churn_date if lost else as_of
        months += max(1, months_between(record.contract_date, end))
    churn = _ratio(churned, months) if months else None
    value = margin_per_month / churn if churn and margin_per_month is not None else None
    return LtvSegment(len(records), churned, months, churn, value)


def ltv_gap(
    records: Sequence[CustomerRecord],
    as_of: date,
    gross_margin: float = DEFAULT_GROSS_MARGIN,
    window_days: int = ONBOARDING_WINDOW_DAYS,
) -> LtvGap:
    """LTV of customers who onboarded within the window vs those who did not, and the gap.

    Both segments share the pooled ARPA (each customer's last MRR), so the difference is
    what the difference in monthly churn alone implies.
    """
    _check_margin(gross_margin)
    completed, not_completed, pending = _split_by_onboarding(records, as_of, window_days)
    pooled = completed + not_completed
    average = (
        _ratio(sum((_last_mrr(r, as_of) for r in pooled), Decimal(0)), len(pooled))
        if pooled
        else None
    )
    margin = average * gross_margin if average is not None else None
    done = _segment(completed, as_of, margin)
    not_done = _segment(not_completed, as_of, margin)
    notes = []
    if pending:
        notes.append(f"{pending} customers excluded: {window_days}-day window not yet elapsed")
    for label, segment in (("completed", done), ("not completed", not_done)):
        if segment.ltv is None:
            reason = "no customers" if not segment.n else "no churn"
            notes.append(f"undefined: {label} LTV ({reason})")
    difference = None
    if done.ltv is not None and not_done.ltv is not None:
        difference = done.ltv - not_done.ltv
    return LtvGap(average, gross_margin, done, not_done, difference, "; ".join(notes))
