"""Shapes the KGI tree page and API: the tree, targets, consistency, goal seek, sensitivity chart.

Consistency rule: below the root, a KPI with a current target for this month is taken
as given (its own inputs are not descended), so the check compares the numbers people
actually planned with — the demo's UU × CVR × AOV.
"""
import math
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import month_start
from engine.formula import FormulaError
from engine.solve import goal_seek
from engine.tree import check_consistency, leaves, reachable, sensitivity
from metrics.formula_messages import formula_error_message
from metrics.models import Focus, Kind, Kpi, Measurement
from metrics.selectors import active_kgi
from metrics.services import FOCUS_CAP, company_formulas, kgi_smart_check
from metrics.targets import load_plan
from metrics.tree.plan import PlanTree


@dataclass
class Node:
    kpi: Kpi
    target: object = None
    latest: object = None
    given: bool = False  # has a month target: the consistency check stops here
    children: list = field(default_factory=list)


@dataclass
class TreeData:
    kgi: object
    smart: list
    root: Node | None
    kpis: dict
    formulas: dict
    linked: set
    unlinked: list
    vanity: list
    balance: dict
    teams: list
    consistency: dict | None
    seek_leaves: list
    sensitivity: list
    sensitivity_missing: list
    plan: object = None  # PlanTree: month targets in formula units, for checks and cascades
    node_checks: list = field(default_factory=list)
    first_bad: object = None  # the first NodeCheck (top down) whose inputs don't add up


def kpis_with_latest(company, today=None):
    """The company's KPIs with ``latest`` (newest measurement) and ``month_target`` loaded.

    ``month_target`` is this month's target read through the target plan at month grain
    (a weekly summed KPI's month, an averaged KPI's level), so the tree compares months.
    """
    month = month_start(today or timezone.localdate())
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period_start")
    kpis = list(Kpi.objects.filter(company=company).select_related("team")
                .annotate(latest=Subquery(latest.values("value")[:1])).order_by("code"))
    plan = load_plan(company)
    for kpi in kpis:
        kpi.month_target = plan.at(kpi, "month", month)
    return kpis


def build_tree(company, seek_code=None) -> TreeData:
    kgi = active_kgi(company)
    kpis = {k.code: k for k in kpis_with_latest(company)}
    formulas = company_formulas(company)
    root_code = kgi.kpi.code if kgi and kgi.kpi_id else None
    linked = reachable(root_code, formulas) if root_code else set()
    root = _node(root_code, kpis, formulas, set(), is_root=True, kgi=kgi) if root_code else None
    unlinked = [k for k in kpis.values() if k.code not in linked and not k.is_vanity]
    vanity = [k for k in kpis.values() if k.is_vanity]
    in_tree = [kpis[c] for c in linked if c in kpis]
    leading = sum(1 for k in in_tree if k.kind == Kind.LEADING)
    balance = {"leading": leading, "lagging": len(in_tree) - leading,
               "leading_pct": round(100 * leading / len(in_tree)) if in_tree else 0}
    consistency, seek_leaves = _consistency(kgi, root_code, kpis, formulas, linked, seek_code)
    ranked, missing = _sensitivity(root_code, kpis, formulas)
    plan = plan_tree(kgi, root_code, kpis, formulas)
    checks = plan.checks(root_code) if root_code else []
    return TreeData(kgi=kgi, smart=kgi_smart_check(kgi) if kgi else [], root=root, kpis=kpis,
                    formulas=formulas, linked=linked, unlinked=unlinked, vanity=vanity,
                    balance=balance, teams=_team_focus(company, kpis), consistency=consistency,
                    seek_leaves=seek_leaves, sensitivity=ranked, sensitivity_missing=missing,
                    plan=plan, node_checks=checks,
                    first_bad=next((c for c in checks if not c.ok), None))


def plan_tree(kgi, root_code, kpis, formulas) -> PlanTree:
    """This month's targets of the tree in formula units; the root's is the KGI target."""
    targets = {c: k.to_formula_value(k.month_target) for c, k in kpis.items()
               if k.month_target is not None}
    if root_code and kgi is not None and kgi.target is not None:
        targets[root_code] = kpis[root_code].to_formula_value(kgi.target)
    return PlanTree(kpis, formulas, targets)


def _node(code, kpis, formulas, path, is_root=False, kgi=None):
    kpi = kpis.get(code)
    if kpi is None:
        return None
    node = Node(kpi=kpi, latest=kpi.latest,
                target=kgi.target if is_root and kgi else kpi.month_target,
                given=not is_root and kpi.month_target is not None)
    if code in formulas and code not in path:
        for name in formulas[code].names:
            child = _node(name, kpis, formulas, path | {code})
            if child is not None:
                node.children.append(child)
    return node


def _team_focus(company, kpis):
    from teams.models import Team

    # Grouped once: a scan of every KPI per team was 300 × 8,100 steps at 300 teams.
    active_by_team = {}
    for kpi in kpis.values():
        if kpi.focus == Focus.ACTIVE:
            active_by_team.setdefault(kpi.team_id, []).append(kpi)
    rows = []
    for team in Team.objects.filter(company=company).order_by("name"):
        active = active_by_team.get(team.pk, [])
        rows.append({"team": team, "active": active, "count": len(active), "cap": FOCUS_CAP})
    return rows


def given_formulas(root_code, kpis, formulas, linked):
    """The formulas with every KPI below the root that has a month target cut to a leaf."""
    given = {c for c in linked if c != root_code and c in kpis
             and kpis[c].month_target is not None}
    return {c: f for c, f in formulas.items() if c not in given}


def _consistency(kgi, root_code, kpis, formulas, linked, seek_code):
    if kgi is None or root_code is None or kgi.target is None:
        return None, []
    root_kpi = kpis[root_code]
    cut = given_formulas(root_code, kpis, formulas, linked)
    leaf_codes = [c for c in leaves(root_code, cut) if c in kpis]
    targets = {c: kpis[c].to_formula_value(kpis[c].month_target) for c in leaf_codes
               if kpis[c].month_target is not None}
    root_target = root_kpi.to_formula_value(kgi.target)
    try:
        result = check_consistency(root_code, cut, targets, root_target)
    except FormulaError as exc:
        return {"error": formula_error_message(exc)}, []
    data = {"leaves": [kpis[c] for c in leaf_codes], "ok": result.ok,
            "missing": [kpis[c] for c in result.missing if c in kpis],
            "target": kgi.target, "unit": root_kpi.unit, "computed": None, "factor": None,
            "short": False, "seek": None}
    if result.computed is not None and math.isfinite(result.computed):
        data["computed"] = root_kpi.from_formula_value(result.computed)
        ratio = result.ratio
        if ratio and math.isfinite(ratio) and ratio > 0:
            data["short"] = ratio < 1
            data["factor"] = round(1 / ratio if ratio < 1 else ratio, 1)
    if seek_code and seek_code in leaf_codes:
        values = {c: targets.get(c, kpis[c].to_formula_value(kpis[c].latest)) for c in leaf_codes}
        values = {c: v for c, v in values.items() if v is not None}
        seek = {"kpi": kpis[seek_code], "value": None, "error": None}
        try:
            solved = goal_seek(root_code, cut, values, root_target, seek_code)
            seek["value"] = round(kpis[seek_code].from_formula_value(solved), 4)
        except FormulaError as exc:
            seek["error"] = formula_error_message(exc)
        data["seek"] = seek
    return data, [kpis[c] for c in leaf_codes]


def _sensitivity(root_code, kpis, formulas):
    """Leaves ranked by % root change per 1 % improvement, from latest values (else targets)."""
    if root_code is None:
        return [], []
    codes = [c for c in leaves(root_code, formulas)]
    values, missing = {}, []
    for code in codes:
        kpi = kpis.get(code)
        raw = None if kpi is None else (kpi.latest if kpi.latest is not None
                                        else kpi.month_target)
        if raw is None:
            missing.append(kpi or code)
        else:
            values[code] = kpi.to_formula_value(raw)
    if missing:
        return [], missing
    directions = {c: kpis[c].sign for c in codes}
    try:
        ranked = sensitivity(root_code, formulas, values, directions)
    except FormulaError:
        return [], []
    return [{"kpi": kpis[s.code], "pct": round(s.delta_pct, 3),
             "elasticity": round(s.elasticity, 3)}
            for s in ranked if math.isfinite(s.delta_pct)], []


def sensitivity_chart(ranked):
    """Chart.js config (horizontal bars) for the sensitivity ranking."""
    return {
        "type": "bar",
        "data": {
            "labels": [f"{r['kpi'].name} ({r['kpi'].code})" for r in ranked],
            "datasets": [{
                "label": _("KGI change (percent) per 1 percent improvement"),
                "data": [r["pct"] for r in ranked],
                "backgroundColor": ["#2f6fde" if r["pct"] >= 0 else "#d9534f" for r in ranked],
            }],
        },
        "options": {"indexAxis": "y", "responsive": True, "maintainAspectRatio": False,
                    "animation": False, "plugins": {"legend": {"display": False}}},
    }
