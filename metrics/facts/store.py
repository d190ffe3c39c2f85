"""Computing and storing KpiFacts; the low-level reads they are built from.

``facts_refresh(company, ids)`` recomputes the facts of these KPIs in a fixed number of
statements (latest values of all of them in one query, their targets in one, one upsert),
so the one measurement writer calls it in its own transaction for every KPI it wrote,
and a bulk import of 800 KPIs costs the same three statements as a grid cell.
``facts_compute`` is the same computation without writing, for rows a reader finds dirty.
"""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, F, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.calendar import month_start
from core.formatting import spark_points
from metrics.facts.models import KpiFact
from metrics.models import Direction, Focus, Kpi, Measurement, Target
from metrics.target_plan import KIND_DEADLINE, Stored, TargetPlan

# Points kept per KPI: a card's twelve-point sparkline, and the review's thirteen weeks.
POINTS = 14
SPARK_PERIODS = 12
AT_RISK_BAND = Decimal("0.10")
STATUS_ON_TRACK, STATUS_AT_RISK, STATUS_OFF_TRACK, STATUS_NO_TARGET = (
    "on_track", "at_risk", "off_track", "no_target")
# How a dashboard column ranks a status: off track first (KpiFact.attention).
ATTENTION = {STATUS_OFF_TRACK: 0, STATUS_AT_RISK: 1, STATUS_ON_TRACK: 2, STATUS_NO_TARGET: 3}
# The KPI columns facts are computed from, and those a fact copies to rank the KPI's card.
FACT_KPI_FIELDS = ("pk", "cadence", "aggregation", "direction", "code", "phase", "is_vanity",
                   "focus")
FACT_FIELDS = ("dirty", "version", "latest_period", "latest", "previous", "series", "target",
               "spark", "status", "attention", "code", "cadence", "phase", "is_vanity", "is_focus")
TARGET_PLACES = Decimal("1e-12")


def latest_values(kpi_ids, periods=SPARK_PERIODS):
    """{kpi_id: [(period_start, value), … oldest first]} of the last ``periods`` values, one query.

    On PostgreSQL a LATERAL join walks the (kpi, period_start) unique index backwards
    for each KPI, so the cost follows the rows returned, not the history kept; other
    databases number the rows with a window function.
    """
    if not kpi_ids:
        return {}
    ids = list(kpi_ids)
    if connection.vendor == "postgresql":
        table = Measurement._meta.db_table
        sql = (
            f"SELECT m.kpi_id, m.period_start, m.value FROM unnest(%s::bigint[]) AS k(id) "
            f"CROSS JOIN LATERAL (SELECT kpi_id, period_start, value FROM {table} "
            f"WHERE kpi_id = k.id ORDER BY period_start DESC LIMIT %s) AS m"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids, periods])
            rows = cursor.fetchall()
    else:
        rows = (
            Measurement.objects.filter(kpi_id__in=ids)
            .annotate(rn=Window(RowNumber(), partition_by=[F("kpi_id")],
                                order_by=F("period_start").desc()))
            .filter(rn__lte=periods)
            .values_list("kpi_id", "period_start", "value")
        )
    out = {}
    for kpi_id, period, value in rows:
        out.setdefault(kpi_id, []).append((period, value))
    for values in out.values():
        values.sort()
    return out


def load_plan(company, kpi_ids=None) -> TargetPlan:
    """The current targets of these KPIs (every KPI of the company when None), one query."""
    # Unordered: the plan orders what it needs, and Target's default ordering (by KPI, i.e.
    # company name and code) joined the KPIs and the company only to sort.
    qs = Target.objects.filter(superseded_at__isnull=True).order_by()
    if kpi_ids is None and connection.vendor != "postgresql":
        qs = qs.filter(kpi__company=company)
    elif kpi_ids is None:
        # The company's KPI ids as one array (computed once), not a join with the KPIs:
        # planned without statistics (a fresh restore), the join was a nested loop of every
        # current target × every KPI (7.2 s at 300 teams instead of 3 ms).
        qs = qs.filter(RawSQL(
            f"{Target._meta.db_table}.kpi_id = ANY(ARRAY(SELECT id FROM {Kpi._meta.db_table} "
            "WHERE company_id = %s))", [company.pk], output_field=BooleanField()))
    else:
        qs = qs.filter(kpi_id__in=list(kpi_ids))
    return plan_from_rows(company, qs.values_list(
        "kpi_id", "period_kind", "period_start", "value"))


def plan_from_rows(company, targets) -> TargetPlan:
    """The plan of these current targets: (kpi_id, period_kind, period_start, value) rows."""
    rows: dict[int, list[Stored]] = {}
    for kpi_id, kind, start, value in targets:
        if kind == KIND_DEADLINE:
            start = month_start(start)
        rows.setdefault(kpi_id, []).append(Stored(kind, start, value))
    return TargetPlan(rows, company.fiscal_year_start_month)


def target_status(value, target, direction):
    """On track at or beyond the target, at risk within 10 % short of it, else off track."""
    if target is None:
        return STATUS_NO_TARGET
    if value is None:
        return STATUS_OFF_TRACK
    value, target = Decimal(value), Decimal(target)
    sign = 1 if direction == Direction.HIGHER else -1
    gap = (value - target) * sign
    if gap >= 0:
        return STATUS_ON_TRACK
    scale = abs(target) or Decimal(1)
    return STATUS_AT_RISK if -gap / scale <= AT_RISK_BAND else STATUS_OFF_TRACK


def facts_compute(company, kpis, today=None) -> dict:
    """{kpi_id: {field: value}} of these KPIs (objects with FACT_KPI_FIELDS), two queries.

    The target is the one of the latest value's period at the KPI's cadence (today's
    period when there is no value yet), as the cards have always shown it.
    """
    kpis = list(kpis)
    if not kpis:
        return {}
    today = today or timezone.localdate()
    ids = [k.pk for k in kpis]
    values = latest_values(ids, POINTS)
    plan = load_plan(company, ids)
    out = {}
    for kpi in kpis:
        history = values.get(kpi.pk, [])
        latest_period, latest = history[-1] if history else (None, None)
        target = plan.at(kpi, None, latest_period or today)
        out[kpi.pk] = {
            "dirty": False, "latest_period": latest_period, "latest": latest,
            "previous": history[-2][1] if len(history) > 1 else None,
            "series": [[p.isoformat(), str(v)] for p, v in history],
            "spark": spark_points([v for _p, v in history[-SPARK_PERIODS:]]),
            "target": None if target is None else target.quantize(TARGET_PLACES),
            "status": target_status(latest, target, kpi.direction),
        }
    return out


class _Kpi:
    __slots__ = FACT_KPI_FIELDS

    def __init__(self, *values):
        for name, value in zip(FACT_KPI_FIELDS, values, strict=True):
            setattr(self, name, value)


def facts_refresh(company, kpi_ids=None, today=None) -> int:
    """Recompute and store the facts of these KPIs (all of the company's when None).

    Three statements whatever the number of KPIs (in chunks of 2,000 KPIs). Call it in
    the transaction that wrote their numbers or targets, after the writes.
    """
    qs = Kpi.objects.filter(company=company)
    if kpi_ids is not None:
        ids = sorted({int(i) for i in kpi_ids})
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    kpis = [_Kpi(*values) for values in qs.order_by("pk").values_list(*FACT_KPI_FIELDS)]
    now = timezone.now()
    for start in range(0, len(kpis), 2000):
        chunk = kpis[start:start + 2000]
        facts = facts_compute(company, chunk, today=today)
        by_pk = {k.pk: k for k in chunk}
        KpiFact.objects.bulk_create(
            [KpiFact(kpi_id=pk, company_id=company.pk, updated_at=now,
                     version=random.getrandbits(62), attention=ATTENTION[fields["status"]],
                     code=by_pk[pk].code, cadence=by_pk[pk].cadence, phase=by_pk[pk].phase,
                     is_vanity=by_pk[pk].is_vanity, is_focus=by_pk[pk].focus == Focus.ACTIVE,
                     **fields)
             for pk, fields in facts.items()],
            update_conflicts=True, unique_fields=["kpi"],
            update_fields=[*FACT_FIELDS, "updated_at"])
    return len(kpis)


def parse_series(series) -> list[tuple[date, Decimal]]:
    """A fact's stored points as [(period_start, Decimal)]."""
    return [(date.fromisoformat(p), Decimal(v)) for p, v in series]
