"""Reads for the OKR pages: KR values from KPIs, progress, KGI alignment, review proposals."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import Quarter, parse_quarter, quarter_of
from engine.formula import FormulaError, parse_formula
from engine.tree import reachable
from metrics.models import Kgi, KgiStatus, Kpi, Measurement
from metrics.targets import load_plan
from okrs import scoring
from okrs.models import CheckIn, KeyResult, Objective
from teams.models import Team


def current_quarter(company, today: date | None = None) -> Quarter:
    return quarter_of(today or timezone.localdate(), company.fiscal_year_start_month)


def quarter_from_param(company, label: str | None) -> Quarter:
    """The quarter named in ``?quarter=`` or, when missing or malformed, this quarter."""
    try:
        return parse_quarter(label, company.fiscal_year_start_month)
    except ValueError:
        return current_quarter(company)


def home_team(company, user):
    """The first team the user belongs to in the company, else the company's first team."""
    teams = Team.objects.filter(company=company).order_by("name")
    return teams.filter(memberships__user=user).first() or teams.first()


# --- the KGI tree ---------------------------------------------------------------------


@dataclass
class KgiTree:
    kgi: Kgi | None
    root: str | None
    formulas: dict
    codes: set[str]
    kpis: dict  # code -> Kpi (every KPI of the company)

    def contains(self, kpi) -> bool:
        return kpi is not None and kpi.code in self.codes


def kgi_tree(company) -> KgiTree:
    """The active KGI and the KPI codes inside its formula tree (parse errors skipped)."""
    kgi = Kgi.objects.filter(company=company, status=KgiStatus.ACTIVE).select_related("kpi").first()
    kpis = {k.code: k for k in Kpi.objects.filter(company=company)}
    formulas = {}
    for code, kpi in kpis.items():
        if kpi.formula.strip():
            try:
                formulas[code] = parse_formula(kpi.formula)
            except FormulaError:
                continue
    root = kgi.kpi.code if kgi and kgi.kpi_id else None
    codes = reachable(root, formulas) if root else set()
    return KgiTree(kgi=kgi, root=root, formulas=formulas, codes=codes, kpis=kpis)


def kr_flags(kr, tree: KgiTree) -> list[tuple[str, str]]:
    """Why a KR does not count toward the KGI: (badge class, text, code) triples."""
    if kr.kpi is None:
        return [("muted", _("No KPI linked"), "no_kpi")]
    flags = []
    if kr.kpi.is_vanity:
        flags.append(("bad", _("Vanity metric"), "vanity"))
    if not tree.contains(kr.kpi):
        flags.append(("warn", _("KPI not in the KGI tree"), "unlinked_kpi"))
    return flags


def kr_contributes(kr, tree: KgiTree) -> bool:
    return kr.kpi is not None and not kr.kpi.is_vanity and tree.contains(kr.kpi)


# --- rows for the OKR page ------------------------------------------------------------


class _Progress:
    """What a row shows of its ``progress`` (0–1, or None before any number)."""

    progress: float | None

    @property
    def progress_pct(self):
        return None if self.progress is None else round(self.progress * 100)

    @property
    def band(self):
        return scoring.grade_band(self.progress)


@dataclass
class KrRow(_Progress):
    kr: KeyResult
    current: float | None
    progress: float | None
    expected: float
    linked: bool
    contributes: bool
    flags: list
    history: list = field(default_factory=list)  # (date, value)
    last_checkin: CheckIn | None = None
    chart: dict | None = None
    kpi_target: object = None  # the aligned KPI's planned value over the quarter

    @property
    def score(self):
        return scoring.grade(self.progress)

    @property
    def chart_id(self):
        return f"kr-chart-{self.kr.pk}"


@dataclass
class ObjectiveRow(_Progress):
    objective: Objective
    krs: list
    progress: float | None
    expected: float
    contributes: bool

    @property
    def expected_pct(self):
        return round(self.expected * 100)

    @property
    def behind(self):
        return self.progress is not None and self.progress + 0.15 < self.expected


def _measurements(kpi_ids, quarter: Quarter) -> dict:
    """{kpi_id: [(period_start, value), ...]} inside the quarter, oldest first (one query)."""
    series: dict = {}
    if not kpi_ids:
        return series
    rows = (
        Measurement.objects.filter(kpi_id__in=kpi_ids, period_start__gte=quarter.start,
                                   period_start__lte=quarter.end)
        .order_by("kpi_id", "period_start")
        .values_list("kpi_id", "period_start", "value")
    )
    for kpi_id, day, value in rows:
        series.setdefault(kpi_id, []).append((day, float(value)))
    return series


def kpi_quarter_value(kpi, quarter: Quarter) -> float | None:
    """The KPI's value over the quarter, aggregated as the KPI says (sum / average / last)."""
    series = _measurements([kpi.pk], quarter).get(kpi.pk, [])
    return scoring.aggregate([v for _d, v in series], kpi.aggregation)


def objectives_for(company, quarter: Quarter, team=None):
    queryset = Objective.objects.filter(company=company, quarter=quarter.code)
    if team is not None:
        queryset = queryset.filter(team=team)
    checkins = CheckIn.objects.select_related("author").order_by("created_at")
    return (
        queryset.select_related("team", "owner")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.select_related("kpi")),
            Prefetch("key_results__checkins", queryset=checkins),
        )
        .order_by("team__name", "created_at")
    )


def okr_rows(company, quarter: Quarter, team=None, today: date | None = None,
             tree: KgiTree | None = None) -> list[ObjectiveRow]:
    """Every Objective of the quarter with KR values, progress, flags and chart configs."""
    today = today or timezone.localdate()
    tree = tree or kgi_tree(company)
    objectives = list(objectives_for(company, quarter, team))
    linked_ids = {kr.kpi_id for o in objectives for kr in o.key_results.all() if kr.kpi_id}
    series = _measurements(linked_ids, quarter)
    plan = load_plan(company, linked_ids)
    expected = quarter.elapsed_fraction(today)
    rows = []
    for objective in objectives:
        kr_rows = [_kr_row(kr, series, quarter, tree, expected)
                   for kr in objective.key_results.all()]
        for row in kr_rows:
            if row.kr.kpi_id:
                row.kpi_target = plan.at(row.kr.kpi, "quarter", quarter.start)
        progress = scoring.weighted_progress((r.progress, r.kr.weight) for r in kr_rows)
        rows.append(ObjectiveRow(
            objective=objective, krs=kr_rows, progress=progress, expected=expected,
            contributes=any(r.contributes for r in kr_rows),
        ))
    return rows


def _kr_row(kr, series, quarter, tree, expected) -> KrRow:
    checkins = list(kr.checkins.all())
    if kr.kpi_id:
        points = series.get(kr.kpi_id, [])
        running = scoring.running([v for _d, v in points], kr.kpi.aggregation)
        history = [(d, v) for (d, _raw), v in zip(points, running, strict=True)]
        current = running[-1] if running else None
    else:
        history = [(c.created_at.date(), float(c.value)) for c in checkins if c.value is not None]
        current = float(kr.current) if kr.current is not None else None
    progress = scoring.kr_progress(kind=kr.kind, direction=kr.direction, start=kr.start,
                                   target=kr.target, current=current)
    row = KrRow(
        kr=kr, current=current, progress=progress, expected=expected, linked=bool(kr.kpi_id),
        contributes=kr_contributes(kr, tree), flags=kr_flags(kr, tree), history=history,
        last_checkin=checkins[-1] if checkins else None,
    )
    row.chart = progress_chart(row, quarter)
    return row


def progress_chart(row: KrRow, quarter: Quarter) -> dict:
    """Chart.js config: the KR's progress (%) at each data point against time elapsed."""
    kr = row.kr
    labels, actual, expected = [quarter.start.isoformat()], [0], [0]
    for day, value in row.history:
        progress = scoring.kr_progress(kind=kr.kind, direction=kr.direction, start=kr.start,
                                       target=kr.target, current=value)
        labels.append(day.isoformat())
        actual.append(round((progress or 0) * 100))
        expected.append(round(quarter.elapsed_fraction(day) * 100))
    labels.append(quarter.end.isoformat())
    actual.append(None)
    expected.append(100)
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": [
            {"label": _("Progress %"), "data": actual, "borderColor": "#2456d6",
             "backgroundColor": "#2456d6", "spanGaps": False, "tension": 0.2},
            {"label": _("Expected by now %"), "data": expected, "borderColor": "#98a2b3",
             "borderDash": [4, 4], "pointRadius": 0, "spanGaps": True},
        ]},
        "options": {"responsive": True, "maintainAspectRatio": False, "animation": False,
                    "plugins": {"legend": {"display": False}},
                    "scales": {"y": {"min": 0, "max": 100}, "x": {"display": False}}},
    }


# --- alignment map --------------------------------------------------------------------


@dataclass
class AlignmentKpi:
    kpi: Kpi
    depth: int
    krs: list  # KrRow with .objective_row


def alignment_map(company, quarter: Quarter, today: date | None = None) -> dict:
    """KGI → KPIs of its tree (depth-first, formula order) → KRs → Objectives → teams."""
    tree = kgi_tree(company)
    rows = okr_rows(company, quarter, today=today, tree=tree)
    by_kpi: dict = {}
    for orow in rows:
        for krow in orow.krs:
            krow.objective_row = orow
            if krow.contributes:
                by_kpi.setdefault(krow.kr.kpi.code, []).append(krow)
    kpis = []
    if tree.root:
        for code, depth in _walk(tree.root, tree.formulas):
            if code in tree.kpis:
                kpis.append(AlignmentKpi(kpi=tree.kpis[code], depth=depth,
                                         krs=by_kpi.get(code, [])))
    return {
        "tree": tree,
        "kpis": kpis,
        "objectives": rows,
        "not_contributing": [o for o in rows if not o.contributes],
        "contributing_count": sum(1 for o in rows if o.contributes),
        "aligned_kpi_count": sum(1 for k in kpis if k.krs),
    }


def _walk(root, formulas):
    """(code, depth) depth first in formula order, each code once."""
    out, seen, stack = [], set(), [(root, 0)]
    while stack:
        code, depth = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        out.append((code, depth))
        names = formulas[code].names if code in formulas else ()
        stack.extend((name, depth + 1) for name in reversed(names))
    return out
