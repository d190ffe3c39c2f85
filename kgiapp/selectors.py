"""The company-level reads that look across apps: the dashboard and the team page.

They compose the selectors of each app and own no rules. Each returns what a page
needs with a fixed number of queries, whatever the number of teams or KPIs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from metrics import selectors as metric_selectors
from metrics.models import Focus, Kgi, KgiStatus
from teams.selectors import teams_for_company


def active_kgi(company):
    """The company's one active KGI with its KPI, or None (one query)."""
    return Kgi.objects.select_related("kpi").filter(company=company,
                                                    status=KgiStatus.ACTIVE).first()


def latest_attainment(company):
    """REFORECAST SLOT — the latest attainment probability (0–1) of the active KGI, or None.

    The Reforecast model is built elsewhere; the integrator returns its latest snapshot's
    probability here. Until one exists the dashboard says "not yet computed".
    """
    return None


@dataclass
class NorthStar:
    kgi: Kgi
    current: Decimal | None
    current_period: date | None
    series: list
    reached_pct: float | None
    time_pct: float | None
    attainment: float | None
    status: str
    days_left: int | None


def _percent(part, whole):
    if whole in (None, 0) or part is None:
        return None
    return max(0.0, min(100.0, float(part) / float(whole) * 100))


def north_star(company, today=None):
    """The active KGI with its current value, progress against time elapsed and attainment."""
    today = today or timezone.localdate()
    kgi = active_kgi(company)
    if kgi is None:
        return None
    history = metric_selectors.latest_values([kgi.kpi_id]).get(kgi.kpi_id, []) \
        if kgi.kpi_id else []
    current_period, current = history[-1] if history else (None, None)
    # Progress runs from the baseline to the target, so a KGI that started at 61M and aims
    # at 83M is 0 % reached at 61M; without a baseline it is simply current ÷ target.
    reached = None
    if current is not None and kgi.target is not None:
        if kgi.baseline is not None and kgi.target != kgi.baseline:
            reached = _percent(current - kgi.baseline, kgi.target - kgi.baseline)
        else:
            reached = _percent(current, kgi.target)
    time_pct = None
    if kgi.start_date and kgi.deadline:
        time_pct = _percent((today - kgi.start_date).days,
                            (kgi.deadline - kgi.start_date).days)
    direction = kgi.kpi.direction if kgi.kpi_id else "higher"
    return NorthStar(
        kgi=kgi, current=current, current_period=current_period,
        series=[v for _p, v in history], reached_pct=reached, time_pct=time_pct,
        attainment=latest_attainment(company),
        status=metric_selectors.target_status(current, kgi.target, direction),
        days_left=(kgi.deadline - today).days if kgi.deadline else None,
    )


def dashboard(company, *, team=None, cadence=None, today=None):
    """The dashboard: North Star, the team filter and KPI layers by cadence × phase."""
    rows = metric_selectors.kpi_rows(metric_selectors.company_kpis(company, team=team),
                                     today=today)
    cadences = [cadence] if cadence in metric_selectors.CADENCE_ORDER else None
    layers = [layer for layer in metric_selectors.group_by_cadence_and_phase(rows, cadences)
              if layer["count"] or cadences]
    return {
        "north_star": north_star(company, today=today),
        "teams": list(teams_for_company(company)),
        "layers": layers,
        "kpi_count": len(rows),
        "status_counts": _status_counts(rows),
    }


def _status_counts(rows):
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def team_open_tasks(team):
    """TASKS SLOT — the team's open tasks; None until the reviews app provides them."""
    return None


def team_review_status(team):
    """REVIEW SLOT — this ISO week's review of the team; None until the reviews app exists."""
    return None


def team_page(company, team, today=None):
    """The team page: its focus KPIs (at most seven) large, monitoring KPIs compact."""
    rows = metric_selectors.kpi_rows(metric_selectors.company_kpis(company, team=team),
                                     today=today)
    focus = [r for r in rows if r.kpi.focus == Focus.ACTIVE]
    order = {p: i for i, p in enumerate(metric_selectors.PHASE_ORDER)}
    focus.sort(key=lambda r: (order.get(r.kpi.phase, 9), r.kpi.name))
    monitoring = sorted((r for r in rows if r.kpi.focus != Focus.ACTIVE),
                        key=lambda r: (order.get(r.kpi.phase, 9), r.kpi.name))
    return {
        "focus_rows": focus,
        "monitoring_rows": monitoring,
        "open_tasks": team_open_tasks(team),
        "review_status": team_review_status(team),
    }
