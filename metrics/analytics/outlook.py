"""The KGI outlook: forecast every KPI to the deadline, simulate the KGI, rank the levers."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _
from threadpoolctl import ThreadpoolController

from core.calendar import (
    next_period,
    period_start,
    steps_between,
    subperiod_weights,
)
from engine.formula import FormulaError
from engine.leaves import (
    FactorCorrelation,
    is_positive,
    leaf_correlation,
    leaf_distribution,
)
from engine.simulate import simulate_and_rank
from engine.tree import leaves
from engine.tree_delta import DeltaTreeEvaluator
from metrics.analytics.fits import FitCounts, FitRequest, forecasts_reusing_fits
from metrics.analytics.series import Series, kpi_series
from metrics.models import Campaign, Kgi, KgiStatus, Kpi, Measurement, Target, Unit
from metrics.services import company_formulas

_THREADS = ThreadpoolController()

DRAWS = 10_000
MAX_SHIFT_PCT = 30.0


def clamp_shift(percent) -> float:
    """A what-if move in percent, kept within ±MAX_SHIFT_PCT."""
    return max(-MAX_SHIFT_PCT, min(MAX_SHIFT_PCT, float(percent)))


class OutlookUnavailable(Exception):
    """The KGI cannot be forecast (no active KGI, no target, no numbers); says why."""


@dataclass
class LeafOutlook:
    """A leaf KPI's value in the KGI's deadline period, in the formula's units."""

    code: str
    mean: float
    sigma: float
    direction: int
    unit: str
    method: str
    flags: list[str] = field(default_factory=list)
    positive: bool = True

    def as_spec(self):
        """(median, sigma, positive): the mean field holds the point forecast (the median)."""
        return (self.mean, self.sigma, self.positive)


@dataclass
class Outlook:
    """How likely the KGI is reached, the spread at its deadline, and what moves it."""

    kgi: Kgi
    as_of: date
    deadline_period: date
    probability: float
    p10: float
    p50: float
    p90: float
    draws: int
    seed: int
    leaves: dict[str, LeafOutlook]
    sensitivity: list[dict]
    forecasts: dict[str, dict]
    fingerprint: str
    root: Kpi = None
    formulas: dict = field(default_factory=dict)
    kpis: dict = field(default_factory=dict)  # {code: Kpi} of the company
    correlation: tuple | None = None  # (codes, matrix or factors) of the leaves' shocks
    fit_counts: FitCounts | None = None  # forecasts reused from stored fits / fitted

    def evaluator(self):
        return kgi_evaluator(self.root, self.formulas)


def _leaf_in_period(item: Series, fc, parts, aggregation: str, positive: bool):
    """The leaf's distribution over the KGI's period: known parts as they are, future
    parts from the forecast, each weighted by its share of days in the period."""
    last_index = len(item.periods) - 1
    known, steps, weights = [], [], []
    for day, weight in parts:
        step = steps_between(item.last_period, day, item.kpi.cadence)
        if step >= 1:
            steps.append(step - 1)
            weights.append(weight)
        elif last_index + step >= 0 and np.isfinite(item.values[last_index + step]):
            known.append((float(item.values[last_index + step]), weight))
    if not steps and not known:  # the period is measured but its numbers are missing
        steps, weights = [fc.horizon - 1], [1.0]
    mean = np.r_[[v for v, _w in known], fc.mean]
    sigma = np.r_[np.zeros(len(known)), fc.sigma]
    index = list(range(len(known))) + [len(known) + s for s in steps]
    history = item.values[np.isfinite(item.values)]
    floor = 0.05 * float(history.min()) if positive and history.size else 0.0
    return leaf_distribution(mean, sigma, index, [w for _v, w in known] + weights,
                             aggregation, positive=positive, floor=floor)


def _leaf_correlation(series_by_code: dict[str, Series]):
    """(codes, matrix or factors) of the leaves' shock correlation on their common periods.

    A matrix (few leaves) is rounded to 4 decimals as the payload always held it; the
    factor form (more leaves than shocks) is kept as estimated, float64, for the what-if.
    """
    found = leaf_correlation({
        code: (item.periods, np.where(item.campaign, np.nan, item.values), item.season_length)
        for code, item in series_by_code.items()})
    if found is None:
        return None
    codes, matrix = found
    if isinstance(matrix, FactorCorrelation):
        return codes, matrix
    return codes, matrix.round(4).tolist()


def _periods_after(last: date, steps: int, cadence: str) -> list[date]:
    """The ``steps`` periods that follow ``last``."""
    days, day = [], last
    for _step in range(steps):
        day = next_period(day, cadence)
        days.append(day)
    return days


def _forecast_payload(item: Series, fc, horizon_periods: list[date], keep_history: int):
    """What a chart needs: the recent history and the forecast band, JSON-ready."""
    tail = slice(max(0, len(item.periods) - keep_history), None)
    low, high = fc.lower.get(80), fc.upper.get(80)

    def clean(arr):
        # Python floats (tolist), not numpy scalars: the same rounding, a third of the time.
        return [round(v, 6) if math.isfinite(v) else None
                for v in np.asarray(arr, dtype=float).tolist()]

    return {
        "cadence": item.kpi.cadence,
        "history": {"periods": [d.isoformat() for d in item.periods[tail]],
                    "values": clean(item.values[tail])},
        "forecast": {"periods": [d.isoformat() for d in horizon_periods],
                     "mean": clean(fc.mean), "low": clean(low if low is not None else []),
                     "high": clean(high if high is not None else [])},
        "method": fc.method,
        "flags": list(fc.flags),
    }


def inputs_fingerprint(company, kgi, as_of: date) -> str:
    """A hash of everything a reforecast reads: numbers, formulas, KGI, targets, campaigns."""
    digest = hashlib.sha256()
    digest.update(repr((kgi.pk, kgi.kpi_id, str(kgi.target), kgi.deadline, as_of)).encode())
    for row in (Measurement.objects.filter(company=company, period_start__lt=as_of)
                .values("kpi_id").annotate(n=Count("id"), total=Sum("value"),
                                           last=Max("period_start")).order_by("kpi_id")):
        digest.update(repr(sorted(row.items())).encode())
    for row in Kpi.objects.filter(company=company).order_by("code").values_list(
            "code", "formula", "cadence", "aggregation", "unit", "direction"):
        digest.update(repr(row).encode())
    for row in Campaign.objects.filter(company=company).order_by("pk").values_list(
            "pk", "start", "end"):
        digest.update(repr(row).encode())
    for row in Target.objects.filter(kpi__company=company, superseded_at__isnull=True) \
            .order_by("pk").values_list("kpi_id", "period_start", "value"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def kgi_evaluator(root: Kpi, formulas):
    """A vectorised function: leaf values (formula units) → the KGI in its display units.

    It also offers `cache` / `changed` (``engine.tree_delta.DeltaTreeEvaluator``), so the
    sensitivity ranking recomputes only the chains of the formulas each leaf feeds.
    """
    if root.code not in formulas:
        return lambda values: root.from_formula_value(values[root.code])
    return _KgiEvaluator(root, DeltaTreeEvaluator(root.code, formulas))


class _KgiEvaluator:
    def __init__(self, root: Kpi, tree: DeltaTreeEvaluator) -> None:
        self.root, self.tree = root, tree

    def __call__(self, values):
        return self.root.from_formula_value(self.tree.evaluate(values)[self.root.code])

    def cache(self, values):
        return self.tree.cache(values)

    def changed(self, cached, leaf, value):
        return self.root.from_formula_value(self.tree.changed(cached, leaf, value))


def active_kgi_with_tree(company):
    """(kgi, root kpi, formulas, leaf codes) or OutlookUnavailable saying what is missing."""
    kgi = Kgi.objects.select_related("kpi").filter(company=company,
                                                   status=KgiStatus.ACTIVE).first()
    if kgi is None:
        raise OutlookUnavailable(_("There is no active KGI to forecast."))
    if kgi.kpi_id is None or kgi.target is None or kgi.deadline is None:
        raise OutlookUnavailable(
            _("The KGI needs a KPI, a target and a deadline before it can be forecast."))
    formulas = company_formulas(company)
    try:
        leaf_codes = leaves(kgi.kpi.code, formulas) if kgi.kpi.code in formulas \
            else [kgi.kpi.code]
    except FormulaError:
        raise OutlookUnavailable(_("The KPI tree has a formula error; fix it on the tree page."))
    return kgi, kgi.kpi, formulas, leaf_codes


def kgi_outlook(company, *, as_of: date, draws: int = DRAWS, seed: int = 0,
                progress=None, history_points: int = 26) -> Outlook:
    """Forecast every KPI to the KGI's deadline and simulate the KGI through the tree.

    Only periods that start before ``as_of`` are read, so a snapshot for a month sees
    exactly the numbers known on its first day. ``progress(percent)`` is called now and
    then so a page can show how far it is.
    """
    kgi, root, formulas, leaf_codes = active_kgi_with_tree(company)
    deadline_period = period_start(kgi.deadline, root.cadence)
    if deadline_period < period_start(as_of, root.cadence):
        raise OutlookUnavailable(_("The KGI's deadline has passed."))
    kpis = list(Kpi.objects.filter(company=company))
    by_code = {k.code: k for k in kpis}
    missing = [code for code in leaf_codes if code not in by_code]
    if missing:
        raise OutlookUnavailable(_("The formula names a KPI that does not exist: %(code)s")
                                 % {"code": missing[0]})
    series = kpi_series(company, kpis, until=as_of)
    leaf_set = set(leaf_codes)
    # First every KPI's forecast request, then all forecasts at once (stored fits reused,
    # the rest fitted together), then the payload and the leaves.
    planned = []
    for kpi in sorted(kpis, key=lambda k: (k.code not in leaf_set, k.code)):
        item = series[kpi.pk]
        if kpi.code in leaf_set:
            parts = subperiod_weights(deadline_period, root.cadence, kpi.cadence)
        else:
            parts = [(period_start(kgi.deadline, kpi.cadence), 1.0)]
        if not item.periods:
            if kpi.code in leaf_set:
                raise OutlookUnavailable(
                    _("%(kpi)s has no numbers before %(month)s, so the KGI cannot be "
                      "forecast.") % {"kpi": kpi.name, "month": as_of.strftime("%Y-%m")})
            continue
        # Steps after the last period with a number (a stale series still reaches the deadline).
        horizon = max(1, steps_between(item.last_period, parts[-1][0], kpi.cadence))
        planned.append((kpi, item, parts, horizon))
    if progress is not None:
        progress(10)
    # Only the leaves' forecasts are decided on (simulated); the other KPIs' go on record
    # without the backtest that picks their method, a quarter of the cost.
    fitted, fit_counts = forecasts_reusing_fits(company, [
        FitRequest(kpi.pk, item.values, item.campaign, horizon, item.season_length,
                   select=kpi.code in leaf_set)
        for kpi, item, _parts, horizon in planned])
    if progress is not None:
        progress(70)
    leaf_outlooks: dict[str, LeafOutlook] = {}
    forecasts: dict[str, dict] = {}
    leaf_series: dict[str, Series] = {}
    for kpi, item, parts, horizon in planned:
        fc = fitted[kpi.pk]
        forecasts[kpi.code] = _forecast_payload(
            item, fc, _periods_after(item.last_period, horizon, kpi.cadence), history_points)
        if kpi.code in leaf_set:
            positive = is_positive(item.values)
            leaf = _leaf_in_period(item, fc, parts, kpi.aggregation, positive)
            scale = 100.0 if kpi.unit == Unit.PERCENT else 1.0  # formulas see fractions
            if not (np.isfinite(leaf.point) and np.isfinite(leaf.sigma)):
                raise OutlookUnavailable(
                    _("%(kpi)s cannot be forecast yet.") % {"kpi": kpi.name})
            leaf_series[kpi.code] = item
            leaf_outlooks[kpi.code] = LeafOutlook(
                code=kpi.code, mean=leaf.point / scale, sigma=leaf.sigma / scale,
                direction=kpi.sign, unit=kpi.unit, method=fc.method, flags=list(fc.flags),
                positive=positive)
    if progress is not None:
        progress(80)
    evaluate = kgi_evaluator(root, formulas)
    specs = {code: leaf.as_spec() for code, leaf in leaf_outlooks.items()}
    target, direction = float(kgi.target), root.sign
    # One BLAS thread, as the what-if: two threads on a shared 2-core machine made the
    # 180 × 180 eigendecompositions 7× slower (bench/README.md, the reforecast).
    with _THREADS.limit(limits=1, user_api="blas"):
        correlation = _leaf_correlation(leaf_series)
        result, ranking = simulate_and_rank(
            specs, evaluate, target, direction, draws=draws, seed=seed,
            correlation=correlation,
            leaf_directions={code: leaf.direction for code, leaf in leaf_outlooks.items()})
    if not np.isfinite(result.probability):
        raise OutlookUnavailable(_("The KGI's formula gives no number for these forecasts."))
    if progress is not None:
        progress(90)
    return Outlook(
        kgi=kgi, as_of=as_of, deadline_period=deadline_period,
        probability=result.probability, p10=result.p10, p50=result.p50, p90=result.p90,
        draws=draws, seed=seed, leaves=leaf_outlooks,
        sensitivity=[{"code": s.leaf, "delta_pp": round(s.delta_pp, 3),
                      "delta_p50_pct": round(s.delta_p50_pct, 4), "direction": s.direction}
                     for s in ranking],
        forecasts=forecasts, fingerprint=inputs_fingerprint(company, kgi, as_of),
        root=root, formulas=formulas, kpis=by_code, correlation=correlation,
        fit_counts=fit_counts)


def leaf_specs(leaves_payload: dict) -> dict:
    """Snapshot leaves → simulation specs (median, sigma, positive)."""
    return {code: (leaf["mean"], leaf["sigma"], leaf.get("positive", leaf["mean"] > 0))
            for code, leaf in leaves_payload.items()}
