"""Reads of the KPI tree that pages share, each a fixed number of queries.

The dashboard and the team page show many KPIs at once; every function here loads
what it needs for all of them in bulk (the latest values of many KPIs come from one
query), so the number of queries never grows with the number of teams or KPIs. Rows are
plain values (``KpiRow``), formatted here for the templates (``with_display``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import calendar
from core.formatting import format_card_value, format_change, spark_points
from engine.formula import FormulaError, parse_formula
from metrics.card_html import SLUG_CODE
from metrics.facts.store import (  # noqa: F401 — re-exported: the pages' vocabulary
    AT_RISK_BAND,
    SPARK_PERIODS,
    STATUS_AT_RISK,
    STATUS_NO_TARGET,
    STATUS_OFF_TRACK,
    STATUS_ON_TRACK,
    latest_values,
    load_plan,
    target_status,
)
from metrics.models import (
    Anomaly,
    AnomalyLabel,
    Cadence,
    Direction,
    Focus,
    Kgi,
    KgiStatus,
    Kpi,
    Phase,
    Unit,
)

PLAN_MONTHS = 6  # the KPI page's target plan, from this month on
PHASE_ORDER = ["acquisition", "conversion", "revenue", "retention"]
CADENCE_ORDER = ["daily", "weekly", "monthly"]
# A KPI's numbers are stale when the latest period is older than this many of its periods.
STALE_AFTER_PERIODS = 2
CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 31}


# The KPI columns a card or a table row needs, read with values_list (no model instances).
ROW_FIELDS = ("pk", "code", "name_ja", "name_en", "unit", "direction", "kind", "phase",
              "cadence", "focus", "aggregation", "team_id", "formula", "is_vanity")


@dataclass
class KpiRow:
    """One KPI as a dashboard card shows it: latest, change, target status, sparkline.

    Built from plain column values, so a 30-team company's ~800 KPIs cost tuples, not
    model instances; ``spark`` holds the sparkline's SVG points (formatting.spark_points).
    """

    pk: int
    code: str
    name_ja: str
    name_en: str
    unit: str
    direction: str
    kind: str
    phase: str
    cadence: str
    focus: str
    aggregation: str
    team_id: int | None
    formula: str = ""
    is_vanity: bool = False
    latest: Decimal | None = None
    latest_period: date | None = None
    previous: Decimal | None = None
    change: Decimal | None = None
    change_unit: str = ""  # "%" (relative) or "pt" (percentage points)
    change_good: bool | None = None
    target: Decimal | None = None
    status: str = STATUS_NO_TARGET
    series: list = field(default_factory=list)
    spark: str = ""
    anomalies: list = field(default_factory=list)
    # What a card prints, formatted once in the selector (with_display), not per template tag.
    href: str = ""
    value_text: str = ""
    change_text: str = ""
    target_text: str = ""
    status_label: str = ""
    period_text: str = ""  # "as of": the latest value's period (2026-W48, 2026-11, 2026-12-02)
    behind: bool = False  # its latest period is older than most cards of its cadence
    ahead: bool = False  # … or newer (this week's first numbers while most show last week)

    # A fact's last points as stored ([["2026-01-05", "1200.0000"], …]), read by ``points``.
    stored_points: list = field(default_factory=list)

    @cached_property
    def points(self):
        """The stored points as [(period_start, Decimal)], oldest first (parsed once)."""
        return [(date.fromisoformat(p), Decimal(v)) for p, v in self.stored_points]

    @property
    def name(self):
        language = translation.get_language() or "ja"
        return self.name_ja if language.startswith("ja") else self.name_en

    @property
    def is_focus(self):
        return self.focus == Focus.ACTIVE

    @property
    def is_computed(self):
        return bool(self.formula.strip())


def kpi_facts(company, team=None, include_vanity=False):
    """The company's KPIs as KpiRows without numbers, ordered by code, one query.

    Vanity metrics stay out unless asked for (the checklist counts them).
    """
    qs = Kpi.objects.filter(company=company)
    if not include_vanity:
        qs = qs.filter(is_vanity=False)
    if team is not None:
        qs = qs.filter(team=team)
    return [KpiRow(*values) for values in qs.order_by("code").values_list(*ROW_FIELDS)]


def target_plan(company, kpi_ids=None):
    """The company's targets, ready to be read at any grain (metrics.targets.load_plan)."""
    return load_plan(company, kpi_ids)


RECENT_ANOMALY_DAYS = 42


def anomalies_by_kpi(kpi_ids, since=None, until=None, company=None):
    """{kpi_id: [{"period_start", "label", "value", "low", "high", "score"}, …]}, one query.

    The detector's anomalies (campaign effects are annotations, not flags) of these KPIs,
    for periods starting in [since, until), oldest first.
    """
    qs = Anomaly.objects.filter(label=AnomalyLabel.ANOMALY)
    # ``kpi_ids=None``: every KPI of ``company``.
    qs = qs.filter(company=company) if kpi_ids is None else qs.filter(kpi_id__in=list(kpi_ids))
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


def recent_anomaly(row, items):
    """The one badge a card may show: the detector's flag on the KPI's latest period or the
    one before it, the most recent if both. An older flag is history (the KPI page lists it),
    and a card never says "unusually high" and "unusually low" at once."""
    if row.latest_period is None or not items:
        return []
    cutoff = calendar.previous_period(calendar.period_start(row.latest_period, row.cadence),
                                      row.cadence)
    recent = [item for item in items if item["period_start"] >= cutoff]
    if not recent:
        return []
    item = dict(recent[-1])
    item["period_text"] = as_of_label(item["period_start"], row.cadence)
    return [item]


def _change(row, latest, previous):
    if latest is None or previous is None:
        return None, ""
    if row.unit == Unit.PERCENT:
        return latest - previous, "pt"
    if previous == 0:
        return None, ""
    return (latest - previous) / abs(previous) * 100, "%"


def kpi_rows(rows, today=None, values=None, targets=None, company=None):
    """Fill KpiRows (from kpi_facts) with latest value, change and target status.

    ``values`` ({kpi_id: [(period, value), …]}, e.g. from latest_values) and ``targets``
    (a TargetPlan) may be passed when already loaded; at most two queries otherwise
    (``company`` is then needed). The target is the one of the latest value's period at
    the KPI's cadence (this period's when there is no value yet). Sparklines are a
    separate step (with_series), for the rows shown.
    """
    today = today or timezone.localdate()
    ids = [r.pk for r in rows]
    values = latest_values(ids) if values is None else values
    targets = target_plan(company, ids) if targets is None else targets
    for row in rows:
        history = values.get(row.pk, ())
        if history:
            row.latest_period, row.latest = history[-1]
            if len(history) > 1:
                row.previous = history[-2][1]
        row.change, row.change_unit = _change(row, row.latest, row.previous)
        if row.change is not None and row.change != 0:
            row.change_good = (row.change > 0) == (row.direction == Direction.HIGHER)
        row.target = targets.at(row, None, row.latest_period or today)
        row.status = target_status(row.latest, row.target, row.direction)
    return rows


STATUS_LABELS = {STATUS_ON_TRACK: gettext_lazy("On track"),
                 STATUS_AT_RISK: gettext_lazy("At risk"),
                 STATUS_OFF_TRACK: gettext_lazy("Off track"),
                 STATUS_NO_TARGET: gettext_lazy("No target")}


def as_of_label(period: date | None, cadence: str) -> str:
    """The period a value belongs to, as a card says "as of": 2026-W48, 2026-11, 2026-12-02."""
    if period is None:
        return ""
    if cadence == Cadence.WEEKLY:
        return calendar.iso_week_label(period)
    if cadence == Cadence.MONTHLY:
        return calendar.month_key(period)
    return period.isoformat()


def with_display(rows, company):
    """Give these rows the strings a card prints: link, value, change, target, status label,
    the period of the value ("as of"), and whether it is behind the other cards of its cadence
    (a card never shows an older week next to this week's without saying so).

    Formatting follows the active language (¥8,300万 / ¥83M), so whatever keeps the rows
    must keep them per language.
    """
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    prefix = reverse("kpi-detail", kwargs={"company": company.slug, "code": "x"})[:-2]
    counts: dict[str, Counter] = {}
    for row in rows:
        if row.latest_period:
            counts.setdefault(row.cadence, Counter())[row.latest_period] += 1
    # The period most cards of a cadence show (the newest of equals): the others say so.
    usual = {cadence: max(c.items(), key=lambda item: (item[1], item[0]))[0]
             for cadence, c in counts.items()}
    for row in rows:
        row.period_text = as_of_label(row.latest_period, row.cadence)
        if row.latest_period:
            row.behind = row.latest_period < usual[row.cadence]
            row.ahead = row.latest_period > usual[row.cadence]
        # One reverse() per page: a slug code is put in the link as the URL pattern would.
        row.href = f"{prefix}{row.code}/" if SLUG_CODE.fullmatch(row.code) else reverse(
            "kpi-detail", kwargs={"company": company.slug, "code": row.code})
        row.value_text = format_card_value(row.latest, row.unit)
        row.change_text = format_change(row.change, row.change_unit)
        row.target_text = "" if row.target is None else format_card_value(row.target, row.unit)
        row.status_label = labels[row.status]
    return rows


def with_series(rows, values, keep=True):
    """Give these rows their sparkline from ``values`` (latest_values of their ids).

    ``keep=False`` draws the sparkline without keeping the numbers on the row (a cached
    card needs only its points; a thousand Decimals cost milliseconds to unpickle).
    """
    for row in rows:
        series = [v for _p, v in values.get(row.pk, ())]
        row.spark = spark_points(series)
        row.series = series if keep else []
    return rows


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
        in_layer = [r for r in rows if r.cadence == cadence]
        phases = []
        for phase in PHASE_ORDER:
            phase_rows = [r for r in in_layer if r.phase == phase]
            hidden = 0
            if limit is not None and len(phase_rows) > limit:
                phase_rows.sort(key=lambda r: (not r.is_focus, STATUS_ATTENTION[r.status]))
                hidden, phase_rows = len(phase_rows) - limit, phase_rows[:limit]
            phase_rows.sort(key=lambda r: (not r.is_focus, r.name))
            phases.append({"phase": phase, "label": Phase(phase).label, "rows": phase_rows,
                           "hidden": hidden})
        layers.append({"cadence": cadence, "label": Cadence(cadence).label, "phases": phases,
                       "count": len(in_layer)})
    return layers


@lru_cache(maxsize=4096)
def parsed_formula(text):
    """The parsed formula of this text, or None when it does not parse (cached: pure)."""
    try:
        return parse_formula(text)
    except FormulaError:
        return None


def formula_inputs(kpi):
    """The KPI codes its formula reads (none for a measured KPI or a broken formula)."""
    formula = parsed_formula(kpi.formula) if kpi.is_computed else None
    return list(formula.variables) if formula else []


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


def active_kgi(company):
    """The company's one active KGI with its KPI, or None (one query)."""
    return Kgi.objects.select_related("kpi").filter(company=company,
                                                    status=KgiStatus.ACTIVE).first()
