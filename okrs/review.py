"""Reads for the quarterly OKR review: KR grades, next quarter's threshold proposals and
the KGI target consistency check over the thresholds that are current."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from core.quarters import Quarter
from engine.formula import FormulaError
from engine.tree import check_consistency
from metrics.models import Focus, Measurement, PeriodKind, Target
from metrics.targets import load_plan
from okrs import scoring
from okrs.models import KeyResult
from okrs.selectors import KgiTree, kgi_tree, okr_rows

PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}
HISTORY_POINTS = 13  # about one quarter of weekly numbers


@dataclass
class Proposal:
    kpi: object
    trend: float | None
    kr_target: float | None
    kr_titles: list
    current_target: object  # Target or None
    proposed: float | None
    reason: str


def _projected_quarter(kpi, history: list[tuple[date, float]], quarter: Quarter):
    """The KPI's value over ``quarter`` if the straight line through recent numbers holds."""
    if not history:
        return None
    step = PERIOD_DAYS.get(kpi.cadence, 7)
    last_day = history[-1][0]
    gap = max(1, (quarter.start - last_day).days // step)
    count = max(1, quarter.days // step) if kpi.cadence != "monthly" else 3
    projected = scoring.linear_projection([v for _d, v in history],
                                          range(gap, gap + count))
    return scoring.aggregate(projected, kpi.aggregation)


def threshold_proposals(company, team, quarter: Quarter, today: date | None = None):
    """One proposal per KPI the team owns as focus or aligns a KR to (this or next quarter).

    Rule, kept simple so a manager can check it: when next quarter already has a KR on
    the KPI, its target is the proposal (the team's commitment); otherwise the straight
    line through the last 13 numbers, aggregated over next quarter as the KPI says.
    """
    today = today or timezone.localdate()
    following = quarter.next()
    tree = kgi_tree(company)
    krs = list(KeyResult.objects.filter(
        objective__team=team, objective__quarter__in=[quarter.label, following.label],
        kpi__isnull=False).select_related("kpi", "objective"))
    kpis = {k.pk: k for k in tree.kpis.values()
            if k.team_id == team.pk and k.focus == Focus.ACTIVE and not k.is_vanity}
    kpis.update({kr.kpi.pk: kr.kpi for kr in krs})
    next_krs: dict = {}
    for kr in krs:
        if kr.objective.quarter == following.label:
            next_krs.setdefault(kr.kpi_id, []).append(kr)
    history: dict = {}
    rows = (Measurement.objects.filter(kpi_id__in=kpis, period_start__lte=today)
            .order_by("kpi_id", "-period_start").values_list("kpi_id", "period_start", "value"))
    for kpi_id, day, value in rows:
        bucket = history.setdefault(kpi_id, [])
        if len(bucket) < HISTORY_POINTS:
            bucket.append((day, float(value)))
    targets = {t.kpi_id: t for t in Target.objects.filter(
        kpi_id__in=kpis, period_kind=PeriodKind.QUARTER, period_start=following.start,
        superseded_at__isnull=True)}
    proposals = []
    for kpi in sorted(kpis.values(), key=lambda k: (k.phase, k.code)):
        trend = _projected_quarter(kpi, list(reversed(history.get(kpi.pk, []))), following)
        planned = next_krs.get(kpi.pk, [])
        kr_target = float(planned[0].target) if planned else None
        if kr_target is not None:
            proposed = kr_target
            reason = _("Next quarter's key result “%(kr)s” aims at this.") % {
                "kr": planned[0].title}
        elif trend is not None:
            proposed = trend
            reason = _("Straight line through the last %(n)s numbers, %(agg)s over the quarter.") % {
                "n": len(history.get(kpi.pk, [])), "agg": kpi.get_aggregation_display().lower()}
        else:
            proposed, reason = None, _("No numbers yet: enter a threshold by hand.")
        if proposed is not None:
            proposed = round(proposed, 0 if kpi.unit in ("count", "JPY") else 2)
        proposals.append(Proposal(
            kpi=kpi, trend=trend, kr_target=kr_target, kr_titles=[k.title for k in planned],
            current_target=targets.get(kpi.pk), proposed=proposed, reason=reason,
        ))
    return proposals


def review_rows(company, team, quarter: Quarter, today: date | None = None):
    """The quarter's Objectives with each KR's grade (0.0–1.0)."""
    return okr_rows(company, quarter, team=team, today=today)


@dataclass
class ConsistencyView:
    result: object | None
    root_name: str
    used: list  # (kpi, value, source)
    error: str = ""
    unit: str = ""


def kgi_consistency(company, quarter: Quarter, tree: KgiTree | None = None) -> ConsistencyView:
    """Do the thresholds that are current multiply up to the KGI target?

    Each KPI's target is its plan for the quarter's first month (metrics.targets): the
    quarterly threshold's share of that month for a sum, its level for an average, else
    the monthly target in force. The tree is cut at every KPI that has a target.
    """
    tree = tree or kgi_tree(company)
    if not tree.root or tree.kgi is None or tree.kgi.target is None:
        return ConsistencyView(None, "", [], _("No active KGI with a target."))
    # Every KPI's plan for the quarter's first month, read through the one target plan:
    # a quarter threshold's month share (by days) for a sum, its level for an average.
    plan = load_plan(company, [k.pk for k in tree.kpis.values()])
    quarters = set(Target.objects.filter(
        kpi__company=company, superseded_at__isnull=True, period_kind=PeriodKind.QUARTER,
        period_start=quarter.start).values_list("kpi_id", flat=True))
    chosen: dict = {}
    for kpi in tree.kpis.values():
        if kpi.code == tree.root:
            continue
        value = plan.at(kpi, "month", quarter.start)
        if value is None:
            continue
        source = (_("quarter %(q)s") % {"q": quarter.label} if kpi.pk in quarters
                  else _("month"))
        chosen[kpi.code] = (kpi, float(value), source)
    formulas = {code: f for code, f in tree.formulas.items() if code not in chosen}
    leaf_targets = {code: kpi.to_formula_value(v) for code, (kpi, v, _s) in chosen.items()}
    try:
        result = check_consistency(tree.root, formulas, leaf_targets, float(tree.kgi.target))
    except FormulaError as exc:
        return ConsistencyView(None, tree.kgi.name, [], str(exc))
    used = sorted((c for c in chosen.values() if c[0].code in tree.codes),
                  key=lambda c: c[0].code)
    return ConsistencyView(result, tree.kgi.name, used, unit=tree.kgi.unit)
