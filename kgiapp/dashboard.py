"""The company-level reads that look across apps: the dashboard and the team page.

They compose the selectors of each app and own no rules. Each returns what a page
needs with a fixed number of queries, whatever the number of teams or KPIs.
"""
from __future__ import annotations

import re
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from metrics import selectors as metric_selectors
from metrics.models import Kgi
from metrics.selectors import active_kgi
from reviews import selectors as review_selectors
from reviews.selectors import attainment_history
from teams.dataversion import cache_key, cached
from teams.models import Team
from teams.selectors import teams_for_company


@dataclass
class NorthStar:
    kgi: Kgi
    current: Decimal | None
    current_period: date | None
    series: list
    probability_series: list
    reached_pct: float | None
    time_pct: float | None
    attainment: float | None
    status: str
    days_left: int | None


def _as_percent(probability):
    return None if probability is None else round(100 * probability, 1)


def _percent(part, whole):
    if whole in (None, 0) or part is None:
        return None
    return max(0.0, min(100.0, float(part) / float(whole) * 100))


def north_star(company, today=None, kgi=None, history=None):
    """The active KGI with its current value, progress against time elapsed and attainment.

    ``kgi`` and ``history`` (its KPI's latest values) may be passed when already loaded.
    """
    today = today or timezone.localdate()
    kgi = kgi or active_kgi(company)
    if kgi is None:
        return None
    if history is None:
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
    probabilities = attainment_history(company)
    return NorthStar(
        kgi=kgi, current=current, current_period=current_period,
        series=[v for _p, v in history], reached_pct=reached, time_pct=time_pct,
        attainment=_as_percent(probabilities[-1] if probabilities else None),
        probability_series=[_as_percent(p) for p in probabilities],
        status=metric_selectors.target_status(current, kgi.target, direction),
        days_left=(kgi.deadline - today).days if kgi.deadline else None,
    )


# Company-wide, each phase column shows this many KPIs (attention first) unless asked for all.
COLUMN_LIMIT = 6

TeamRef = namedtuple("TeamRef", "pk slug name")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def dashboard(company, *, team=None, cadence=None, show_all=False, today=None):
    """The dashboard: North Star, the team filter, KPI layers by cadence × phase, checklist.

    Company-wide, a column shows at most COLUMN_LIMIT KPIs so a 30-team company stays
    readable (and fast); a team filter or ``show_all`` shows every KPI.

    Everything here is computed from tables that change the company's data token
    (kgiapp.dataversion), so it is cached under it and recomputed on the first load after
    any write. ``layers_key`` lets the template cache the rendered cards under the same key.
    """
    today = today or timezone.localdate()
    parts = (today, team.pk if team else "", cadence or "", int(show_all))
    fresh = {}

    def compute():
        if not fresh:
            fresh.update(_dashboard_payload(company, team=team, cadence=cadence,
                                            show_all=show_all, today=today))
        return fresh

    payload = dict(cached(company, "dashboard", parts,
                          lambda: {k: v for k, v in compute().items() if k != "layers"}))
    # The cards are kept apart and read only when their rendered HTML is not cached
    # (the template's {% datacache layers_key %}): most loads never unpickle them.
    payload["layers"] = SimpleLazyObject(
        lambda: cached(company, "dashboard-cards", parts, lambda: compute()["layers"]))
    payload["layers_key"] = cache_key(company, "dashboard-layers", parts)
    return payload


def _dashboard_payload(company, *, team, cadence, show_all, today):
    """The dashboard computed from the data (see ``dashboard``); picklable, so cacheable.

    The status of every KPI comes from its last two values; only the cards shown read
    twelve, for their sparklines.
    """
    from kgiapp.checklist import checklist
    from kgiapp.first_run import first_run_facts

    kgi = active_kgi(company)
    kpis = metric_selectors.kpi_facts(company, include_vanity=True)
    shown = [k for k in kpis if not k.is_vanity and (team is None or k.team_id == team.pk)]
    ids = [k.pk for k in shown]
    rows = metric_selectors.kpi_rows(shown, today=today,
                                     values=metric_selectors.latest_values(ids, 2),
                                     targets=metric_selectors.target_plan(company))
    cadences = [cadence] if cadence in metric_selectors.CADENCE_ORDER else None
    layers = [layer for layer in metric_selectors.group_by_cadence_and_phase(
        rows, cadences, limit=None if team is not None or show_all else COLUMN_LIMIT)
              if layer["count"] or cadences]
    cards = [r for layer in layers for p in layer["phases"] for r in p["rows"]]
    # The KGI's KPI rides along in the same bulk read, even when a team filter hides it.
    extra = [kgi.kpi_id] if kgi and kgi.kpi_id else []
    series = metric_selectors.latest_values([r.pk for r in cards] + extra)
    metric_selectors.with_display(metric_selectors.with_series(cards, series, keep=False),
                                  company)
    _with_anomalies(cards, today)
    ns = north_star(company, today=today, kgi=kgi,
                    history=series.get(kgi.kpi_id, []) if extra else [])
    teams = [TeamRef(t.pk, t.slug, t.name) for t in teams_for_company(company)]
    return {
        "north_star": ns,
        "teams": teams,
        "first_run_facts": first_run_facts(company),
        "layers": layers,
        "kpi_count": len(rows),
        "hidden_count": sum(p["hidden"] for layer in layers for p in layer["phases"]),
        "status_counts": _status_counts(rows),
        # Shown to admins only; computed here from what is loaded anyway.
        "checklist": checklist(
            company, kgi=kgi, kgi_has_numbers=bool(ns and ns.series),
            kpis=[(k.pk, k.code, k.kind, k.phase, k.cadence, k.focus, k.formula, k.is_vanity)
                  for k in kpis],
            team_count=len(teams), **({"attainment": ns.attainment} if ns else {})),
    }


def _with_anomalies(rows, today):
    """The detector's recent flags on these rows (one query)."""
    anomalies = metric_selectors.anomalies_by_kpi(
        [r.pk for r in rows], since=today - timedelta(days=metric_selectors.RECENT_ANOMALY_DAYS))
    for row in rows:
        row.anomalies = metric_selectors.recent_anomaly(row, anomalies.get(row.pk, []))


def _status_counts(rows):
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def team_by_slug(company, slug):
    """The company's team with this slug, or None (cached under the data token: teams are
    tracked, so a renamed or deleted team is seen on the next load)."""
    if not SLUG.fullmatch(slug):  # never a cache key made of whatever a URL carried
        return None
    return cached(company, "team-slug", (slug,),
                  lambda: Team.objects.filter(company=company, slug=slug).first())


def team_page(company, team, today=None):
    """The team page: its focus KPIs (at most seven) large, monitoring KPIs compact.

    The KPI rows are cached under the company's data token; tasks and the review (which
    change many times a week without touching the numbers) are read live.
    """
    today = today or timezone.localdate()
    rows = cached(company, "team", (team.pk, today), lambda: _team_rows(company, team, today))
    return {
        # The template caches the two KPI sections it renders from the rows under these.
        "focus_key": cache_key(company, "team-focus", (team.pk, today)),
        "monitoring_key": cache_key(company, "team-monitoring", (team.pk, today)),
        "focus_rows": [r for r in rows if r.is_focus],
        "monitoring_rows": [r for r in rows if not r.is_focus],
        "open_tasks": review_selectors.team_open_tasks(team),
        "review_status": review_selectors.team_review_status(team),
    }


def _team_rows(company, team, today):
    rows = metric_selectors.kpi_facts(company, team=team)
    values = metric_selectors.latest_values([r.pk for r in rows])
    metric_selectors.kpi_rows(rows, today=today, values=values, company=company)
    metric_selectors.with_display(metric_selectors.with_series(rows, values, keep=False),
                                  company)
    _with_anomalies(rows, today)
    order = {p: i for i, p in enumerate(metric_selectors.PHASE_ORDER)}
    rows.sort(key=lambda r: (order.get(r.phase, 9), r.name))
    return rows
