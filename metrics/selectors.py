"""Reads of the KPI tree that pages share, each a fixed number of queries.

The dashboard and the team page show many KPIs at once; every function here loads
what it needs for all of them in bulk (the latest twelve values per KPI come from one
windowed query), so the number of queries never grows with the number of teams or KPIs.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.engine.formula import FormulaError, parse_formula
from metrics.models import (
    Anomaly,
    AnomalyLabel,
    Cadence,
    Campaign,
    Direction,
    Focus,
    Kpi,
    Measurement,
    PeriodKind,
    Phase,
    Target,
    Unit,
)

SPARK_PERIODS = 12
# Within this share of the target (on the wrong side) a KPI is "at risk", beyond it "off track".
AT_RISK_BAND = Decimal("0.10")
STATUS_ON_TRACK, STATUS_AT_RISK, STATUS_OFF_TRACK, STATUS_NO_TARGET = (
    "on_track", "at_risk", "off_track", "no_target")
PHASE_ORDER = ["acquisition", "conversion", "revenue", "retention"]
CADENCE_ORDER = ["daily", "weekly", "monthly"]
# A KPI's numbers are stale when the latest period is older than this many of its periods.
STALE_AFTER_PERIODS = 2
CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 31}


@dataclass
class KpiRow:
    """One KPI as a dashboard card shows it: latest, change, target status, sparkline."""

    kpi: Kpi
    latest: Decimal | None = None
    latest_period: date | None = None
    previous: Decimal | None = None
    change: Decimal | None = None
    change_unit: str = ""  # "%" (relative) or "pt" (percentage points)
    change_good: bool | None = None
    target: Decimal | None = None
    status: str = STATUS_NO_TARGET
    series: list = field(default_factory=list)
    anomalies: list = field(default_factory=list)

    @property
    def is_focus(self):
        return self.kpi.focus == Focus.ACTIVE


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


def current_targets(kpi_ids, today=None):
    """{kpi_id: Target} in force today, one query.

    The current (not superseded) target with the latest start on or before today; when
    there is none yet, the nearest one ahead (a KGI deadline target).
    """
    today = today or timezone.localdate()
    chosen = {}
    targets = (Target.objects.filter(kpi_id__in=list(kpi_ids), superseded_at__isnull=True)
               .only("kpi_id", "period_kind", "period_start", "value"))
    for target in targets.order_by("kpi_id", "period_start"):
        # Ordered by start: a later start already begun wins; a future one only when alone.
        if target.kpi_id not in chosen or target.period_start <= today:
            chosen[target.kpi_id] = target
    return chosen


def period_target(kpi, target):
    """The target on the KPI's own period: a month target of a summed weekly KPI is split.

    A month (or deadline month) target of a KPI summed to the month is scaled to a day
    or a week; averaged and last-value KPIs compare with the target as it is.
    """
    if target is None:
        return None
    value = target.value
    if kpi.aggregation != "sum" or kpi.cadence == "monthly" or \
            target.period_kind == PeriodKind.QUARTER:
        return value
    days = calendar.monthrange(target.period_start.year, target.period_start.month)[1]
    return value * Decimal(CADENCE_DAYS[kpi.cadence]) / Decimal(days)


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


RECENT_ANOMALY_DAYS = 42


def anomalies_by_kpi(kpi_ids, since=None, until=None):
    """{kpi_id: [{"period_start", "label", "value", "low", "high", "score"}, …]}, one query.

    The detector's anomalies (campaign effects are annotations, not flags) of these KPIs,
    for periods starting in [since, until), oldest first.
    """
    qs = Anomaly.objects.filter(kpi_id__in=list(kpi_ids), label=AnomalyLabel.ANOMALY)
    if since is not None:
        qs = qs.filter(period_start__gte=since)
    if until is not None:
        qs = qs.filter(period_start__lt=until)
    out: dict[int, list] = {}
    for kpi_id, day, value, expected, low, high, score in qs.order_by(
            "kpi_id", "period_start").values_list("kpi_id", "period_start", "value",
                                                  "expected", "expected_low",
                                                  "expected_high", "score"):
        out.setdefault(kpi_id, []).append({
            "period_start": day, "value": value, "low": low, "high": high, "score": score,
            "label": _("Unusually high") if value > expected else _("Unusually low"),
        })
    return out


def _change(kpi, latest, previous):
    if latest is None or previous is None:
        return None, ""
    if kpi.unit == Unit.PERCENT:
        return latest - previous, "pt"
    if previous == 0:
        return None, ""
    return (latest - previous) / abs(previous) * 100, "%"


def kpi_rows(kpis, today=None, values=None):
    """KpiRows for these KPIs (a list already loaded), with a fixed number of queries."""
    kpis = list(kpis)
    ids = [k.pk for k in kpis]
    values = latest_values(ids) if values is None else values
    targets = current_targets(ids, today=today)
    today = today or timezone.localdate()
    anomalies = anomalies_by_kpi(ids, since=today - timedelta(days=RECENT_ANOMALY_DAYS))
    rows = []
    for kpi in kpis:
        history = values.get(kpi.pk, [])
        row = KpiRow(kpi=kpi, series=[v for _p, v in history],
                     anomalies=anomalies.get(kpi.pk, []))
        if history:
            row.latest_period, row.latest = history[-1]
        if len(history) > 1:
            row.previous = history[-2][1]
        row.change, row.change_unit = _change(kpi, row.latest, row.previous)
        if row.change is not None and row.change != 0:
            row.change_good = (row.change > 0) == (kpi.direction == Direction.HIGHER)
        row.target = period_target(kpi, targets.get(kpi.pk))
        row.status = target_status(row.latest, row.target, kpi.direction)
        rows.append(row)
    return rows


CARD_FIELDS = ["company_id", "code", "name_ja", "name_en", "unit", "direction", "kind", "phase",
               "cadence", "focus", "aggregation", "team_id", "formula"]


def company_kpis(company, team=None):
    """The company's KPIs that belong on a dashboard (vanity metrics stay out), one query."""
    qs = Kpi.objects.filter(company=company, is_vanity=False).only(*CARD_FIELDS)
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("code")


STATUS_ATTENTION = {STATUS_OFF_TRACK: 0, STATUS_AT_RISK: 1, STATUS_ON_TRACK: 2,
                    STATUS_NO_TARGET: 3}


def group_by_cadence_and_phase(rows, cadences=None, limit=None):
    """[{cadence, phases: [{phase, rows, hidden}]}] in operations → tactics → strategy order.

    With ``limit``, each phase column keeps the KPIs that need attention first (focus
    KPIs, then off track → at risk → on track → no target) and counts the rest as hidden.
    """
    cadences = cadences or CADENCE_ORDER
    layers = []
    for cadence in cadences:
        in_layer = [r for r in rows if r.kpi.cadence == cadence]
        phases = []
        for phase in PHASE_ORDER:
            phase_rows = [r for r in in_layer if r.kpi.phase == phase]
            hidden = 0
            if limit is not None and len(phase_rows) > limit:
                phase_rows.sort(key=lambda r: (not r.is_focus, STATUS_ATTENTION[r.status]))
                hidden, phase_rows = len(phase_rows) - limit, phase_rows[:limit]
            phase_rows.sort(key=lambda r: (not r.is_focus, r.kpi.name))
            phases.append({"phase": phase, "label": Phase(phase).label, "rows": phase_rows,
                           "hidden": hidden})
        layers.append({"cadence": cadence, "label": Cadence(cadence).label, "phases": phases,
                       "count": len(in_layer)})
    return layers


def formula_inputs(kpi):
    """The KPI codes its formula reads (none for a measured KPI or a broken formula)."""
    if not kpi.is_computed:
        return []
    try:
        return list(parse_formula(kpi.formula).variables)
    except FormulaError:
        return []


def company_formulas(company):
    """{code: formula text} of every computed KPI of the company, one query."""
    return dict(
        Kpi.objects.filter(company=company).exclude(formula="").values_list("code", "formula")
    )


def is_stale(kpi, latest_period, today=None):
    if latest_period is None:
        return True
    today = today or timezone.localdate()
    return (today - latest_period).days > CADENCE_DAYS[kpi.cadence] * (STALE_AFTER_PERIODS + 1)


@dataclass
class KpiPage:
    kpi: Kpi
    history: list
    target: Target | None
    period_target: Decimal | None
    inputs: list
    feeds: list
    campaigns: list
    anomalies: list
    latest: Decimal | None
    latest_period: date | None
    last_updated: object
    stale: bool
    status: str


def kpi_page(company, code, today=None):
    """Everything the KPI page shows, a fixed number of queries; Kpi.DoesNotExist if absent."""
    kpi = Kpi.objects.select_related("team").get(company=company, code=code)
    history = list(
        Measurement.objects.filter(kpi=kpi).order_by("period_start")
        .values_list("period_start", "value", "updated_at")
    )
    target = current_targets([kpi.pk], today=today).get(kpi.pk)
    formulas = company_formulas(company)
    input_codes = formula_inputs(kpi)
    feeder_codes = []
    for other_code, text in formulas.items():
        try:
            names = parse_formula(text).variables
        except FormulaError:
            continue
        if code in names:
            feeder_codes.append(other_code)
    related = {k.code: k for k in Kpi.objects.filter(
        company=company, code__in=input_codes + feeder_codes)}
    campaigns = []
    if history:
        first = history[0][0]
        campaigns = list(
            Campaign.objects.filter(company=company, kpis=kpi, end__gte=first)
            .order_by("start")
        )
    latest_period, latest, _u = history[-1] if history else (None, None, None)
    wanted = period_target(kpi, target)
    return KpiPage(
        kpi=kpi, history=history, target=target, period_target=wanted,
        inputs=[related[c] for c in input_codes if c in related],
        feeds=[related[c] for c in sorted(feeder_codes) if c in related],
        campaigns=campaigns,
        anomalies=anomalies_by_kpi([kpi.pk]).get(kpi.pk, []),
        latest=latest, latest_period=latest_period,
        last_updated=max((u for _p, _v, u in history), default=None),
        stale=is_stale(kpi, latest_period, today=today),
        status=target_status(latest, wanted, kpi.direction),
    )


def kpi_chart_config(page, labels_text):
    """The Chart.js config (JSON-safe) of a KPI's history, its target line and campaign bands."""
    labels = [p.isoformat() for p, _v, _u in page.history]
    values = [float(v) for _p, v, _u in page.history]
    datasets = [{
        "label": labels_text["value"], "data": values, "borderColor": "#2456d6",
        "backgroundColor": "rgba(36,86,214,.08)", "pointRadius": 0, "borderWidth": 2,
        "tension": 0.2, "fill": False,
    }]
    if page.period_target is not None:
        datasets.append({
            "label": labels_text["target"], "data": [float(page.period_target)] * len(labels),
            "borderColor": "#12805c", "borderDash": [6, 4], "pointRadius": 0, "borderWidth": 1.5,
            "fill": False,
        })
    index = {p: i for i, p in enumerate(p for p, _v, _u in page.history)}
    marks = [None] * len(labels)
    for anomaly in page.anomalies:
        i = index.get(anomaly["period_start"])
        if i is not None:
            marks[i] = values[i]
    if any(m is not None for m in marks):
        datasets.append({
            "label": labels_text["anomaly"], "data": marks, "showLine": False,
            "pointRadius": 6, "pointStyle": "triangle", "borderColor": "#c01048",
            "backgroundColor": "#c01048",
        })
    bands = []
    dates = [p for p, _v, _u in page.history]
    for campaign in page.campaigns:
        inside = [i for i, d in enumerate(dates)
                  if d <= campaign.end and d + timedelta(days=CADENCE_DAYS[page.kpi.cadence] - 1)
                  >= campaign.start]
        if inside:
            bands.append({"from": inside[0], "to": inside[-1], "label": campaign.name})
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "responsive": True, "maintainAspectRatio": False, "animation": False,
            "interaction": {"mode": "index", "intersect": False},
            "scales": {"x": {"ticks": {"maxTicksLimit": 8}, "grid": {"display": False}},
                       "y": {"beginAtZero": False}},
            "plugins": {"legend": {"position": "bottom"}, "kgiBands": {"bands": bands}},
        },
    }
