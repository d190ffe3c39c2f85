"""Who needs attention: the at-risk list, onboarding cohorts and the LTV gap.

Pure Python (no Django). Conventions: see ``engine.saas``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from engine.saas import DEFAULT_GROSS_MARGIN, _check_margin
from engine.saas_records import CustomerRecord, _ratio, month_start, months_between
from engine.saas_surveys import ONBOARDING_WINDOW_DAYS, onboarded_in_window, window_elapsed

# --- at-risk list -------------------------------------------------------------------------

DEFAULT_RISK_WORDS = ("解約", "不満", "高い", "使いにくい", "cancel")


@dataclass(frozen=True)
class AtRiskRules:
    """Thresholds for flagging a customer; each rule can be switched off with None."""

    onboarding_days: int | None = 30
    no_login_days: int | None = 30
    nps_max: int | None = 6
    note_words: tuple[str, ...] = DEFAULT_RISK_WORDS
    min_reasons: int = 1  # flag a customer breaking at least this many rules


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
        if reasons and len(reasons) >= rules.min_reasons:
            flagged.append((record.id, reasons))
    flagged.sort(key=lambda item: -len(item[1]))
    return flagged


RULE_CODES = ("onboarding_incomplete", "no_recent_login", "low_nps", "note_words")


def rule_additions(flagged: Sequence[tuple[str, list[RiskReason]]],
                   min_reasons: int = 1) -> dict[str, int]:
    """{rule code: customers on the list only because of it} — switching the rule off would
    drop exactly these (a customer with ``min_reasons`` reasons counts for each of them)."""
    added = dict.fromkeys(RULE_CODES, 0)
    for _customer, reasons in flagged:
        if len(reasons) - 1 < min_reasons:
            for reason in reasons:
                added[reason.code] += 1
    return added


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


MIN_GROUP_FOR_INTERVAL = 5


@dataclass(frozen=True)
class GapInterval:
    """A 90 % bootstrap interval of the LTV difference (completed − not completed)."""

    low: float
    high: float
    level: float
    draws: int


def ltv_gap_interval(
    records: Sequence[CustomerRecord],
    as_of: date,
    gross_margin: float = DEFAULT_GROSS_MARGIN,
    window_days: int = ONBOARDING_WINDOW_DAYS,
    draws: int = 2000,
    level: float = 0.9,
    seed: int = 0,
) -> GapInterval | None:
    """Resample the customers of each group (with replacement) and recompute the difference.

    The ARPA is held at the pooled figure (as in ``ltv_gap``) so the interval is the
    uncertainty of the two churn rates. None when a group has fewer than
    ``MIN_GROUP_FOR_INTERVAL`` customers or when more than 5 % of
    the draws have no churned customer in a group (LTV undefined): too few to say.
    """
    import numpy as np

    _check_margin(gross_margin)
    completed, not_completed, _pending = _split_by_onboarding(records, as_of, window_days)
    if min(len(completed), len(not_completed)) < MIN_GROUP_FOR_INTERVAL:
        return None
    pooled = completed + not_completed
    margin = _ratio(sum((_last_mrr(r, as_of) for r in pooled), Decimal(0)),
                    len(pooled)) * gross_margin

    def arrays(group):
        lost = np.array([r.churn_date is not None and r.churn_date <= as_of for r in group],
                        dtype=float)
        months = np.array([max(1, months_between(
            r.contract_date, r.churn_date if lost[i] else as_of)) for i, r in enumerate(group)],
            dtype=float)
        return lost, months

    rng = np.random.default_rng(seed)

    def ltv_draws(group):
        lost, months = arrays(group)
        picks = rng.integers(0, len(group), size=(draws, len(group)))
        churn = lost[picks].sum(axis=1) / months[picks].sum(axis=1)
        with np.errstate(divide="ignore"):
            return np.where(churn > 0, margin / churn, np.nan)

    difference = ltv_draws(completed) - ltv_draws(not_completed)
    finite = difference[np.isfinite(difference)]
    if len(finite) < 0.95 * draws:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return GapInterval(float(low), float(high), level, draws)
