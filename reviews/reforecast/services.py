"""The monthly reforecast: one immutable snapshot of the KGI's outlook per company and month.

``reforecast_request`` creates (or finds) the month's row; ``reforecast_compute`` fills it
exactly once, however many times it runs and wherever a worker dies: the figures are
computed outside any transaction, then written under a row lock only if nobody finished
first. The numbers are the ones known on the month's first day, and the simulation seed
comes from the company and the month, so a rerun gives the same snapshot.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from core.calendar import month_start, previous_month
from core.gc_pause import cyclic_gc_paused
from engine.simulate import simulate
from engine.tree import reachable
from metrics.analytics import (
    DRAWS,
    OutlookUnavailable,
    clamp_shift,
    kgi_outlook,
    leaf_specs,
)
from metrics.analytics.what_if import WhatIfInputs, what_if_pack, what_if_simulate
from metrics.models import Anomaly, AnomalyLabel, KgiStatus
from metrics.target_plan import CADENCE_GRAIN
from metrics.targets import load_plan
from reviews.models import (
    Decision,
    Reforecast,
    ReforecastForecasts,
    ReforecastStatus,
    Scenario,
)
from reviews.reforecast import recovery
from reviews.reforecast.selectors import reforecast_what_if_inputs
from teams.models import Company

TOP_RISKS = 5
TOP_DECISIONS = 3
TOP_ANOMALIES = 10


def snapshot_seed(company_id: int) -> int:
    """Every snapshot of a company draws the same random numbers.

    So a rerun gives the same figures, and the month-to-month change comes from the
    numbers, not from sampling noise.
    """
    digest = hashlib.sha256(f"kgiapp-reforecast:{company_id}".encode()).hexdigest()
    return int(digest[:8], 16)


def reforecast_request(*, company, month: date | None = None, user=None) -> tuple[Reforecast, bool]:
    """The month's snapshot row, created pending if missing; a failed one is queued again,
    and so are a running one whose worker died and a pending one (its message may have been
    lost while the broker was down; computing is idempotent, so a second message for a slow
    one does no harm).

    Returns (row, queued): ``queued`` is True when the caller should enqueue the work.
    """
    month = month_start(month or timezone.localdate())
    try:
        with transaction.atomic():
            row, created = Reforecast.objects.get_or_create(
                company=company, month=month, defaults={"requested_by": user})
    except IntegrityError:  # two requests raced; the other one created it
        row, created = Reforecast.objects.get(company=company, month=month), False
    if created:
        return row, True
    if row.status == ReforecastStatus.FAILED:
        Reforecast.objects.filter(pk=row.pk, status=ReforecastStatus.FAILED).update(
            status=ReforecastStatus.PENDING, progress=0, error="", requested_by=user,
            attempts=0)
        row.refresh_from_db()
        return row, True
    if row.status == ReforecastStatus.RUNNING:
        # Running but nobody holds it: its worker died. Pressing again sends it at once.
        return row, recovery.orphaned(row.pk)
    return row, row.status == ReforecastStatus.PENDING


def _set_progress(pk: int, percent: int) -> None:
    Reforecast.objects.filter(pk=pk).exclude(status=ReforecastStatus.DONE).update(
        progress=min(99, max(0, percent)))


# Thousands of forecasts and payload entries stay alive until the snapshot is written: the
# cyclic collector's full passes over them were the run's one super-linear cost.
@cyclic_gc_paused()
def reforecast_compute(*, reforecast_id: int) -> Reforecast:
    """Compute the snapshot if it is not done yet; safe to run twice or after a crash."""
    row = Reforecast.objects.select_related("company").get(pk=reforecast_id)
    if row.is_done:
        return row
    Reforecast.objects.filter(pk=row.pk).exclude(status=ReforecastStatus.DONE).update(
        status=ReforecastStatus.RUNNING, progress=5, attempts=F("attempts") + 1,
        started_at=timezone.now(), error="")
    company = row.company
    try:
        # A refusal is stored as text: write it in the company's language, not the worker's.
        with translation.override(company.language or settings.LANGUAGE_CODE):
            outlook = kgi_outlook(company, as_of=row.month, draws=DRAWS,
                                  seed=snapshot_seed(company.pk),
                                  progress=lambda p: _set_progress(row.pk, p))
    except OutlookUnavailable as exc:
        reforecast_fail(reforecast_id=row.pk, reason=str(exc))
        row.refresh_from_db()
        return row
    previous = (Reforecast.objects.filter(company=company, month__lt=row.month,
                                          status=ReforecastStatus.DONE)
                .order_by("-month").first())
    payload = _payload(company, row.month, outlook, previous)
    what_if_blob = what_if_pack(leaves_payload=payload["leaves"],
                                correlation=outlook.correlation, root=outlook.root,
                                formulas=outlook.formulas, kgi_unit=payload["kgi"]["unit"])
    with transaction.atomic():
        locked = Reforecast.objects.select_for_update().get(pk=row.pk)
        if locked.is_done:
            return locked  # another worker finished first; its snapshot stands
        locked.kgi = outlook.kgi
        locked.probability = outlook.probability
        locked.p10, locked.p50, locked.p90 = outlook.p10, outlook.p50, outlook.p90
        locked.target = float(outlook.kgi.target)
        locked.deadline = outlook.kgi.deadline
        locked.draws, locked.seed = outlook.draws, outlook.seed
        locked.fingerprint = outlook.fingerprint
        locked.payload = payload
        locked.what_if_inputs = what_if_blob
        locked.status = ReforecastStatus.DONE
        locked.progress = 100
        locked.completed_at = timezone.now()
        locked.save()
        ReforecastForecasts.objects.create(reforecast=locked, forecasts=outlook.forecasts)
    return locked


def reforecast_fail(*, reforecast_id: int, reason: str) -> None:
    """Mark an unfinished snapshot failed (a done one is never touched)."""
    Reforecast.objects.filter(pk=reforecast_id).exclude(status=ReforecastStatus.DONE).update(
        status=ReforecastStatus.FAILED, error=reason[:300], progress=0)


# --------------------------------------------------------------------------- the payload


def _payload(company, month, outlook, previous) -> dict:
    """What the report shows. The forecasts go to their own table, the correlation (with
    the leaves and the tree) to the compact what-if inputs: the page reads neither."""
    kpis = outlook.kpis
    root = outlook.root
    # Each leaf's plan for the deadline period at the root's grain, read through the one
    # target plan (a weekly leaf's month targets summed by days, a rate not divided).
    plan = load_plan(company, [kpis[code].pk for code in outlook.leaves])
    grain = CADENCE_GRAIN[root.cadence]
    leaves = {}
    for code, leaf in outlook.leaves.items():
        kpi = kpis[code]
        planned = plan.at(kpi, grain, outlook.deadline_period)
        leaves[code] = {
            "plan": float(planned) if planned is not None else None,
            "mean": leaf.mean, "sigma": leaf.sigma, "positive": leaf.positive,
            "direction": leaf.direction,
            "unit": leaf.unit, "method": leaf.method, "flags": leaf.flags,
            "display_mean": kpi.from_formula_value(leaf.mean),
            "name_ja": kpi.name_ja, "name_en": kpi.name_en,
        }
    changes = _changes(outlook, leaves, previous)
    anomalies = _month_anomalies(company, month)
    return {
        "kgi": {"name": outlook.kgi.name, "code": root.code, "unit": root.unit,
                "direction": root.direction, "target": float(outlook.kgi.target),
                "deadline": outlook.kgi.deadline.isoformat(),
                "deadline_period": outlook.deadline_period.isoformat()},
        "leaves": leaves,
        "sensitivity": outlook.sensitivity,
        "anomalies": anomalies,
        "changes": changes,
        "risks": _risks(changes, anomalies, leaves),
        "decisions": _decisions_that_mattered(company, month, outlook, changes),
    }


def _changes(outlook, leaves, previous) -> dict:
    """Split the change in probability since last month into one step per leaf KPI.

    Leaves are swapped from last month's distribution to this month's one at a time, on
    the same random draws, so the steps add up exactly to the total change. A change of
    target or tree shows as its own first step.
    """
    if previous is None or previous.probability is None:
        return {"previous_month": None, "previous": None, "steps": []}
    before = previous.payload.get("leaves", {})
    evaluate = outlook.evaluator()
    target, direction = float(outlook.kgi.target), outlook.root.sign
    now = leaf_specs(leaves)
    specs = {**now, **{code: spec for code, spec in leaf_specs(before).items() if code in now}}

    def probability():
        return simulate(specs, evaluate, target, direction, draws=outlook.draws,
                        seed=outlook.seed, correlation=outlook.correlation).probability

    steps = []
    current = probability()
    structure = current - previous.probability
    if abs(structure) >= 0.0005:
        steps.append({"code": "", "kind": "structure", "delta_pp": round(100 * structure, 2)})
    order = [s["code"] for s in outlook.sensitivity]
    for code in order:
        if code not in before:
            continue
        specs[code] = now[code]
        after = probability()
        steps.append({
            "code": code, "kind": "leaf", "delta_pp": round(100 * (after - current), 2),
            "before": before[code].get("display_mean"), "after": leaves[code]["display_mean"],
        })
        current = after
    return {"previous_month": previous.month.isoformat(), "previous": previous.probability,
            "steps": steps}


def _month_anomalies(company, month) -> list[dict]:
    since = previous_month(month)
    rows = (Anomaly.objects.filter(company=company, label=AnomalyLabel.ANOMALY,
                                   period_start__gte=since, period_start__lt=month)
            .select_related("kpi"))
    rows = sorted(rows, key=lambda a: -abs(a.score))[:TOP_ANOMALIES]
    return [{"code": a.kpi.code, "name_ja": a.kpi.name_ja, "name_en": a.kpi.name_en,
             "unit": a.kpi.unit, "cadence": a.kpi.cadence,
             "period_start": a.period_start.isoformat(), "value": a.value,
             "low": a.expected_low, "high": a.expected_high, "score": round(a.score, 2)}
            for a in rows]


def _risks(changes, anomalies, leaves) -> list[dict]:
    """What threatens the KGI most: leaves that cost probability, anomalies, thin data."""
    risks = []
    for step in sorted(changes["steps"], key=lambda s: s["delta_pp"]):
        if step["kind"] == "leaf" and step["delta_pp"] <= -0.5:
            risks.append({**step, "kind": "falling"})  # the step's own "kind" is "leaf"
    for item in anomalies[:3]:
        risks.append({"kind": "anomaly", **item})
    for code, leaf in leaves.items():
        # "short_series" (under two seasons) is the normal state of a young product; only
        # a series that stopped getting numbers is a risk worth an executive's attention.
        if "stale" in leaf["flags"]:
            risks.append({"kind": "stale", "code": code})
    return risks[:TOP_RISKS]


def _decisions_that_mattered(company, month, outlook, changes) -> list[dict]:
    """The month's decisions, ranked by how much their KPI moved or can move the KGI."""
    since = previous_month(month)
    decisions = list(
        Decision.objects.filter(review__company=company, review__week_start__gte=since,
                                review__week_start__lt=month, keep_course=False)
        .select_related("kpi", "review__team").order_by("created_at"))
    if not decisions:
        return []
    formulas = outlook.formulas
    moved = defaultdict(float)
    for step in changes["steps"]:
        if step["kind"] == "leaf":
            moved[step["code"]] += abs(step["delta_pp"])
    lever = {s["code"]: abs(s["delta_pp"]) for s in outlook.sensitivity}

    def weight(decision):
        if decision.kpi is None:
            return 0.0
        under = reachable(decision.kpi.code, formulas)
        return sum(moved[c] for c in under) + sum(lever.get(c, 0.0) for c in under)

    # A decision re-recorded week after week ("check the numbers again") counts once, with
    # how many weeks it was taken, so three places never show the same sentence.
    ranked, seen = [], {}
    for d in sorted(decisions, key=lambda d: (-weight(d), d.created_at)):
        key = (d.review.team_id, d.kpi_id, " ".join(d.text.split()).lower())
        if key in seen:
            seen[key]["weeks"] += 1
            continue
        seen[key] = {"id": d.pk, "text": d.text, "team": d.review.team.name,
                     "week_start": d.review.week_start.isoformat(),
                     "kpi": d.kpi.code if d.kpi else "", "weight": round(weight(d), 2),
                     "weeks": 1}
        ranked.append(seen[key])
    return ranked[:TOP_DECISIONS]


# --------------------------------------------------------------------------- what-if


class ScenarioRefused(ValueError):
    pass


def scenario_evaluate(*, reforecast: Reforecast, shifts_pct: dict,
                      inputs: WhatIfInputs | None = None):
    """(probability, p50) of the snapshot with these leaf moves (percent, ±30 at most)."""
    inputs = inputs or reforecast_what_if_inputs(reforecast)
    result = what_if_simulate(inputs, shifts_pct=shifts_pct, target=reforecast.target,
                              draws=reforecast.draws, seed=reforecast.seed)
    return result.probability, result.p50


def scenario_save(*, reforecast: Reforecast, name: str, shifts_pct: dict, user=None,
                  inputs: WhatIfInputs | None = None) -> Scenario:
    """Store a named what-if next to the month's snapshot (names are unique per month)."""
    name = (name or "").strip()
    if not name:
        raise ScenarioRefused("name")
    inputs = inputs or reforecast_what_if_inputs(reforecast)
    shifts = {code: round(clamp_shift(v), 1)
              for code, v in shifts_pct.items() if code in inputs.specs and float(v) != 0}
    probability, p50 = scenario_evaluate(reforecast=reforecast, shifts_pct=shifts,
                                         inputs=inputs)
    try:
        with transaction.atomic():
            return Scenario.objects.create(
                company=reforecast.company, reforecast=reforecast, name=name[:120],
                shifts=shifts, probability=probability, p50=p50, created_by=user)
    except IntegrityError:
        raise ScenarioRefused("duplicate")


def companies_due_for_reforecast():
    """Ids of companies with an active KGI (the beat fans out over these)."""
    return list(Company.objects.filter(kgis__status=KgiStatus.ACTIVE).values_list("pk", flat=True)
                .distinct())
