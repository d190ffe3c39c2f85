"""The company-level reads that look across apps: the dashboard and the team page.

They compose the selectors of each app and own no rules. Each returns what a page
needs with a fixed number of queries, whatever the number of teams or KPIs.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from metrics import cards
from metrics import selectors as metric_selectors
from metrics.models import Kgi
from metrics.selectors import active_kgi
from reviews.selectors import attainment_history
from teams.dataversion import cached
from teams.selectors import team_by_slug, teams_for_company  # noqa: F401 — the views' vocabulary


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
    # At (or past) the target before the deadline: the target is the deadline period's
    # value, so the page says it has to hold until then rather than "done".
    at_target_early: bool = False


def _as_percent(probability):
    return None if probability is None else round(100 * probability, 1)


def _percent(part, whole):
    if whole in (None, 0) or part is None:
        return None
    return max(0.0, min(100.0, float(part) / float(whole) * 100))


def north_star(company, today=None, kgi=None, history=None, probabilities=None):
    """The active KGI with its current value, progress against time elapsed and attainment.

    ``kgi``, ``history`` (its KPI's latest values) and ``probabilities`` (the reforecasts'
    attainment_history) may be passed when already loaded.
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
    if probabilities is None:
        probabilities = attainment_history(company)
    days_left = (kgi.deadline - today).days if kgi.deadline else None
    return NorthStar(
        kgi=kgi, current=current, current_period=current_period,
        series=[v for _p, v in history], reached_pct=reached, time_pct=time_pct,
        # Unrounded: the page rounds once (rounding to 0.1 first turned 44.46 into 45).
        attainment=(100 * probabilities[-1]) if probabilities and probabilities[-1] is not None
        else None,
        probability_series=[_as_percent(p) for p in probabilities],
        status=metric_selectors.target_status(current, kgi.target, direction),
        days_left=days_left,
        at_target_early=reached is not None and reached >= 100
        and days_left is not None and days_left > 0,
    )


# Company-wide, each phase column shows this many KPIs (attention first) unless asked for all.
COLUMN_LIMIT = 6

TeamRef = namedtuple("TeamRef", "pk slug name")


def dashboard(company, *, team=None, cadence=None, show_all=False, today=None):
    """The dashboard: North Star, the team filter, KPI layers by cadence × phase, checklist.

    Company-wide, a column shows at most COLUMN_LIMIT KPIs so a 30-team company stays
    readable (and fast); a team filter or ``show_all`` shows every KPI.

    Read from the stored per-KPI facts (metrics.cards) on every load, a fixed handful of
    queries whatever the number of KPIs: the columns' cards are picked in the database,
    so the first load after a write costs what any load costs. Only the checklist, which
    reads the company's KPI tree, is cached under the data token.
    """
    from kgiapp.checklist import checklist

    today = today or timezone.localdate()
    fixed = structure(company, today)
    kgi = fixed["kgi"]
    cadences = [cadence] if cadence in metric_selectors.CADENCE_ORDER else None
    limit = None if team is not None or show_all else COLUMN_LIMIT
    leaves = _kgi_leaves(company)
    one = cards.dashboard_cards(company, limit, kgi.kpi_id if kgi else None, leaves,
                                today=today) if limit is not None else None
    signature, kgi_row = None, None
    if one is not None:
        shown, counts, dirty, kgi_row, signature = one
    elif limit is not None:
        counts, dirty = cards.card_counts(company)
        shown = [] if dirty else cards.top_cards(company, limit, today=today)
    else:
        dirty = True
    if not dirty:
        layers = cards.layers_from([r for r in shown if not cadences or r.cadence in cadences],
                                   counts, cadences, limit=limit)
        kpi_count, status_counts = sum(counts.values()), cards.status_totals(counts)
    else:
        # Every KPI is shown (a team, "show all"), or a fact must be computed before ranking.
        rows = cards.kpi_cards(company, team=team, today=today)
        layers = metric_selectors.group_by_cadence_and_phase(rows, cadences, limit=limit)
        kpi_count, status_counts = len(rows), _status_counts(rows)
    layers = [layer for layer in layers if layer["count"] or cadences]
    shown = [r for layer in layers for p in layer["phases"] for r in p["rows"]]
    metric_selectors.with_display(shown, company)
    _with_anomalies(shown, fixed["anomalies"])
    history = []
    if kgi and kgi.kpi_id:
        if kgi_row is None:
            found = cards.kpi_cards(company, ids=[kgi.kpi_id], include_vanity=True, today=today)
            kgi_row = found[0] if found else None
        history = kgi_row.points[-metric_selectors.SPARK_PERIODS:] if kgi_row else []
    ns = north_star(company, today=today, kgi=kgi, history=history,
                    probabilities=fixed["probabilities"])
    teams = fixed["teams"]
    kgi_has_numbers = bool(ns and ns.series)
    attainment = {"attainment": ns.attainment} if ns else {}
    attainment_part = ns.attainment if ns else "none"
    return {
        "north_star": ns,
        "teams": teams,
        # Admins only (read lazily); what the first reforecast still lacks reads the KGI
        # tree's history, so it is kept under the data token and the numbers' signature.
        "first_run_facts": SimpleLazyObject(lambda: _first_run_facts(company, leaves,
                                                                      signature)),
        "layers": layers,
        "kpi_count": kpi_count,
        "hidden_count": sum(p["hidden"] for layer in layers for p in layer["phases"]),
        "status_counts": status_counts,
        # Shown to admins only; it reads every KPI's formula, so it is kept under the data
        # token (KPIs, the KGI and teams move it; numbers do not).
        "checklist": SimpleLazyObject(lambda: cached(
            company, "checklist", (kgi_has_numbers, len(teams), attainment_part),
            lambda: checklist(company, kgi=kgi, kgi_has_numbers=kgi_has_numbers,
                              team_count=len(teams), **attainment))),
    }


def _kgi_leaves(company):
    """The ids of the active KGI tree's leaf KPIs (kept under the data token)."""
    from metrics.analytics.outlook import OutlookUnavailable, active_kgi_with_tree
    from metrics.models import Kpi

    def leaves():
        try:
            codes = active_kgi_with_tree(company)[3]
        except OutlookUnavailable:
            return []
        return sorted(Kpi.objects.filter(company=company, code__in=codes)
                      .values_list("pk", flat=True))

    return cached(company, "kgi-leaf-ids", (), leaves)


def _first_run_facts(company, leaves, signature=None):
    """first_run_facts, kept under the data token and the signature of the numbers it reads
    (the KGI tree's leaves, for what the first reforecast still lacks)."""
    from kgiapp.first_run import first_run_facts

    if signature is None:
        signature = cards.numbers_signature(company, leaves)
    return cached(company, "first-run", (signature,), lambda: first_run_facts(company))


def structure(company, today):
    """What the dashboard and the team page show that no number moves: the active KGI, the
    teams, the reforecasts' probabilities and the detector's recent flags. All come from
    tables the company's data token follows, so they are kept under it (no query on a
    load after a write of numbers)."""
    def compute():
        since = today - timedelta(days=metric_selectors.RECENT_ANOMALY_DAYS)
        return {
            "kgi": active_kgi(company),
            "teams": [TeamRef(t.pk, t.slug, t.name) for t in teams_for_company(company)],
            "probabilities": attainment_history(company),
            "anomalies": metric_selectors.anomalies_by_kpi(None, since=since, company=company),
        }

    return cached(company, "structure", (today,), compute)


def _with_anomalies(rows, anomalies):
    """The detector's recent flags on these rows ({kpi_id: [flag]}, from ``structure``)."""
    for row in rows:
        row.anomalies = metric_selectors.recent_anomaly(row, anomalies.get(row.pk, []))


def _status_counts(rows):
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def team_page(company, team, today=None):
    """The team page: its focus KPIs (at most seven) large, monitoring KPIs compact.

    The KPI rows are read from the stored facts (metrics.cards) on every load; tasks, the
    review and the members are read live too, in one statement (kgiapp.team_live).
    """
    from kgiapp.team_live import team_live

    today = today or timezone.localdate()
    rows = _team_rows(company, team, today)
    open_tasks, review_status, members = team_live(team)
    return {
        "focus_rows": [r for r in rows if r.is_focus],
        "monitoring_rows": [r for r in rows if not r.is_focus],
        "open_tasks": open_tasks,
        "review_status": review_status,
        "members": members,
    }


def _team_rows(company, team, today):
    rows = cards.kpi_cards(company, team=team, today=today)
    metric_selectors.with_display(rows, company)
    _with_anomalies(rows, structure(company, today)["anomalies"])
    order = {p: i for i, p in enumerate(metric_selectors.PHASE_ORDER)}
    rows.sort(key=lambda r: (order.get(r.phase, 9), r.name))
    return rows
