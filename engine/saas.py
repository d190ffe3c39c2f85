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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.saas_records import (  # noqa: F401 - the roster's names, used as saas.X
    ONBOARDING_STATUSES,
    CustomerRecord,
    Metric,
    Number,
    _in_month,
    _ratio,
    _require_month_start,
    active_at_start,
    active_during,
    month_start,
    months_between,
    next_month,
    previous_month,
)
from engine.saas_surveys import (  # noqa: F401
    ONBOARDING_WINDOW_DAYS,
    csat_score,
    nps_average,
    nps_score,
    onboarded_in_window,
    onboarding_completion,
    window_elapsed,
)

DEFAULT_GROSS_MARGIN = 0.8


# --- churn and revenue retention ---------------------------------------------------------


def logo_churn(records: Sequence[CustomerRecord], month: date) -> Metric:
    """Customers lost in ``month`` ÷ customers active at its start.

    Lost means a churn date in the month or an MRR that went down to 0 in it. A customer
    who signed and churned within the same month was never active at its start, so it is
    in neither the numerator nor the denominator; the note counts them.
    """
    start = active_at_start(records, month)
    lost = sum(1 for r in start if r.churned_in(month))
    same_month = sum(
        1 for r in records if _in_month(r.contract_date, month) and _in_month(r.churn_date, month)
    )
    note = f"{same_month} joined and left within the month, excluded" if same_month else ""
    if not start:
        return Metric("logo_churn", None, lost, 0, "undefined: no customers active at month start")
    return Metric("logo_churn", _ratio(lost, len(start)), lost, len(start), note)


@dataclass(frozen=True)
class RevenueMovement:
    """How the MRR of the customers active at a month's start moved during that month.

    ``reactivation`` is MRR of customers who had lapsed to 0 and pay again this month;
    it is reported beside retention, not inside it (they were not in the start base).
    """

    start_mrr: Decimal
    expansion: Decimal
    contraction: Decimal
    churned: Decimal
    customers: int
    reactivation: Decimal = Decimal(0)
    reactivated: int = 0

    @property
    def end_mrr(self) -> Decimal:
        return self.start_mrr + self.expansion - self.contraction - self.churned


def revenue_movement(records: Sequence[CustomerRecord], month: date) -> RevenueMovement:
    """Split the month's MRR change of start-of-month customers into expansion/contraction/churn.

    The start MRR is what was billed in the month before; a change dated the 1st of
    ``month`` (a downgrade from March on) is booked in ``month``. New customers signed
    during the month are left out: retention measures the existing base.
    """
    start = active_at_start(records, month)
    before_month = previous_month(month)
    start_mrr = expansion = contraction = churned = reactivation = Decimal(0)
    for record in start:
        before = record.mrr_at(before_month)
        start_mrr += before
        if record.churned_in(month):
            churned += before
            continue
        change = record.mrr_at(month) - before
        if change > 0:
            expansion += change
        else:
            contraction -= change
    back = [r for r in records if r.contract_date < month and r.lapsed_at_start(month)
            and r.mrr_at(month) > 0 and (r.churn_date is None or r.churn_date >= month)]
    reactivation = sum((r.mrr_at(month) for r in back), Decimal(0))
    return RevenueMovement(start_mrr, expansion, contraction, churned, len(start),
                           reactivation, len(back))


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


LTV_CHURN_MONTHS = 6


def trailing_logo_churn(records: Sequence[CustomerRecord], month: date,
                        months: int = LTV_CHURN_MONTHS) -> Metric:
    """The average monthly logo churn of the ``months`` months before ``month`` (not it)."""
    _require_month_start(month)
    values, day = [], month
    for _ in range(months):
        day = previous_month(day)
        churn = logo_churn(records, day)
        if churn.value is not None:
            values.append(churn.value)
    if not values:
        return Metric("trailing_logo_churn", None, 0, 0,
                      f"undefined: no customers in the {months} months before")
    return Metric("trailing_logo_churn", sum(values) / len(values), sum(values), len(values),
                  f"average of {len(values)} months before {month.isoformat()}")


def ltv(
    records: Sequence[CustomerRecord], month: date, gross_margin: float | None = None
) -> Metric:
    """Lifetime value = ARPA ÷ the trailing six-month average logo churn (this month excluded).

    With ``gross_margin`` it is the gross-margin LTV (ARPA × margin ÷ churn), and the note
    says so. Undefined when no customer churned in those six months.
    """
    if gross_margin is not None:
        _check_margin(gross_margin)
    average = arpa(records, month)
    churn = trailing_logo_churn(records, month)
    if average.value is None:
        return Metric("ltv", None, None, None, average.note, unit="currency")
    margin = 1.0 if gross_margin is None else gross_margin
    per_month = average.value * margin
    label = "revenue LTV" if gross_margin is None else f"gross-margin LTV (margin {margin:g})"
    if not churn.value:
        return Metric("ltv", None, per_month, 0.0,
                      f"undefined: no churn in the {LTV_CHURN_MONTHS} months before",
                      unit="currency")
    return Metric(
        "ltv",
        per_month / churn.value,
        per_month,
        churn.value,
        f"{label}: ARPA {average.value:g} ÷ {LTV_CHURN_MONTHS}-month average churn "
        f"{churn.value:g}",
        unit="currency",
    )


def _check_margin(gross_margin: float) -> None:
    if not 0 < gross_margin <= 1:
        raise ValueError(f"gross_margin must be in (0, 1], got {gross_margin}")


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
    gross_margin: float | None = None,
    as_of: date | None = None,
) -> dict[str, Metric]:
    """Every customer-success metric for ``month``, keyed as in ``METRIC_KEYS``.

    NPS and CSAT use each surveyed customer's latest answer given by the month's end.
    ``as_of`` (default: the day after the month, i.e. computed as soon as it closed) decides
    which onboarding windows have elapsed.
    """
    _require_month_start(month)
    records = list(records)
    as_of = as_of or next_month(month)
    surveyed = active_during(records, month)
    end = next_month(month)
    nps = [r.nps_by(end) for r in surveyed]
    csat = [r.csat_by(end) for r in surveyed]
    return {
        "logo_churn": logo_churn(records, month),
        "gross_revenue_churn": gross_revenue_churn(records, month),
        "grr": grr(records, month),
        "nrr": nrr(records, month),
        "arpa": arpa(records, month),
        "ltv": ltv(records, month, gross_margin),
        "onboarding_completion": onboarding_completion(records, month, as_of),
        "nps": nps_score(s for s in nps if s is not None),
        "nps_average": nps_average(s for s in nps if s is not None),
        "csat": csat_score(s for s in csat if s is not None),
    }
