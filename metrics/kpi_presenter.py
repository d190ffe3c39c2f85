"""The KPI page: its facts read in a fixed number of queries, its table and its Chart.js config."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.calendar import add_months, month_start
from core.formatting import format_value
from metrics.card_html import SLUG_CODE, escape
from metrics.facts.models import KpiFact
from metrics.models import Campaign, Kpi, Measurement
from metrics.selectors import (
    CADENCE_DAYS,
    PLAN_MONTHS,
    anomalies_by_kpi,
    company_formulas,
    formula_inputs,
    is_stale,
    parsed_formula,
    target_plan,
    target_status,
)
from metrics.targets import target_history
from teams.dataversion import cached


@dataclass
class KpiPage:
    kpi: Kpi
    history: list
    period_target: Decimal | None
    targets: list  # [(period_start, target)] aligned with the history's periods
    inputs: list
    feeds: list
    campaigns: list
    anomalies: list
    latest: Decimal | None
    latest_period: date | None
    last_updated: object
    stale: bool
    status: str
    plan_months: list = field(default_factory=list)  # [(month, target)] from this month on
    target_history: list = field(default_factory=list)  # Target rows, newest first


def kpi_page(company, code, today=None):
    """Everything the KPI page shows, a fixed number of queries; Kpi.DoesNotExist if absent.

    Cached under the company's data token (kgiapp.dataversion).
    """
    today = today or timezone.localdate()
    if len(code) > Kpi._meta.get_field("code").max_length:  # no cache key from a long URL
        raise Kpi.DoesNotExist
    # The data token follows the KPI tree, targets, campaigns and anomalies; the KPI's own
    # numbers move its fact's version (a trigger, whatever wrote them).
    # The KPI's company too, so (company, code)'s unique index finds it: code alone scanned
    # every KPI of every company (1 ms at 8,100 KPIs, growing with the organisation).
    version = KpiFact.objects.filter(
        company=company, kpi__company=company, kpi__code=code).values_list(
        "version", flat=True).first()
    return cached(company, "kpi", (code, today, version or 0),
                  lambda: _kpi_page(company, code, today))


def _kpi_page(company, code, today):
    kpi = Kpi.objects.select_related("team").get(company=company, code=code)
    history = list(
        Measurement.objects.filter(kpi=kpi).order_by("period_start")
        .values_list("period_start", "value", "updated_at")
    )
    plan = target_plan(company, [kpi.pk])
    formulas = company_formulas(company)
    input_codes = formula_inputs(kpi)
    feeder_codes = []
    for other_code, text in formulas.items():
        # Most formulas do not mention this code at all; only those that might are parsed.
        if code in text:
            formula = parsed_formula(text)
            if formula is not None and code in formula.variables:
                feeder_codes.append(other_code)
    related = {k.code: k for k in Kpi.objects.filter(
        company=company, code__in=input_codes + feeder_codes).only("code", "name_ja", "name_en")}
    campaigns = []
    if history:
        first = history[0][0]
        campaigns = list(
            Campaign.objects.filter(company=company, kpis=kpi, end__gte=first)
            .order_by("start")
        )
    latest_period, latest, _u = history[-1] if history else (None, None, None)
    wanted = plan.at(kpi, None, latest_period or today)
    return KpiPage(
        kpi=kpi, history=history, period_target=wanted,
        targets=[(p, plan.at(kpi, None, p)) for p, _v, _u in history],
        plan_months=[(m, plan.at(kpi, "month", m))
                     for m in (add_months(month_start(today), n) for n in range(PLAN_MONTHS))],
        target_history=target_history(kpi),
        inputs=[related[c] for c in input_codes if c in related],
        feeds=[related[c] for c in sorted(feeder_codes) if c in related],
        campaigns=campaigns,
        anomalies=anomalies_by_kpi([kpi.pk]).get(kpi.pk, []),
        latest=latest, latest_period=latest_period,
        last_updated=max((u for _p, _v, u in history), default=None),
        stale=is_stale(kpi, latest_period, today=today),
        status=target_status(latest, wanted, kpi.direction),
    )


def kpi_table(page):
    """The data table under the chart, newest first, as printed: [("2026-01-05", "2.0 %"), …]."""
    unit = page.kpi.unit
    return [(p.isoformat(), format_value(v, unit)) for p, v, _u in reversed(page.history)]


def kpi_table_rows(table):
    """The table's rows as HTML, one ``<tr>`` per number (156 rows cost the template engine
    more than the rest of the page; the values are escaped here as it would)."""
    return mark_safe("".join(  # noqa: S308 — every value is escaped
        f'<tr><td>{escape(period)}</td><td class="num">{escape(value)}</td></tr>'
        for period, value in table))


def kpi_chart_config(page, labels_text):
    """The Chart.js config (JSON-safe) of a KPI's history, its target line and campaign bands."""
    labels = [p.isoformat() for p, _v, _u in page.history]
    values = [float(v) for _p, v, _u in page.history]
    datasets = [{
        "label": labels_text["value"], "data": values, "borderColor": "#2456d6",
        "backgroundColor": "rgba(36,86,214,.08)", "pointRadius": 0, "borderWidth": 2,
        "tension": 0.2, "fill": False,
    }]
    if any(t is not None for _p, t in page.targets):
        datasets.append({
            "label": labels_text["target"],
            "data": [None if t is None else float(t) for _p, t in page.targets],
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


def kpi_links(company, kpis):
    """Links to these KPIs' pages, comma-separated (a KGI's formula may name 30 inputs: one
    reverse() for all of them; a slug code goes into the URL as the pattern puts it)."""
    prefix = reverse("kpi-detail", kwargs={"company": company.slug, "code": "x"})[:-2]

    def href(code):
        return f"{prefix}{code}/" if SLUG_CODE.fullmatch(code) else reverse(
            "kpi-detail", kwargs={"company": company.slug, "code": code})

    return mark_safe(", ".join(  # noqa: S308 — every value is escaped
        f'<a href="{escape(href(k.code))}">{escape(k.name)}</a>' for k in kpis))
