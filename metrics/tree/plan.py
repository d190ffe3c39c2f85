"""The plan as a tree: does each node's target follow from its inputs' targets, and cascade.

Every node is checked at its own cadence (a weekly KPI per average week, the monthly
revenue per month): a summed input's monthly target is its average week's share
(× 7 / 30.44), averages and last values are levels. So ``returning_uu = active_customers ×
return_visit_rate`` (a weekly identity) and ``revenue = uu × cvr × aov`` (a monthly one)
are both checked where they hold. Values are in formula units (percents as fractions).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from engine.formula import FormulaError
from engine.solve import solve_lift
from engine.tree import leaves, preorder
from metrics.target_plan import CADENCE_GRAIN

AVG_MONTH_DAYS = 365.25 / 12
GRAIN_DAYS = {"day": 1.0, "week": 7.0}
NODE_TOLERANCE = 0.005  # half a percent
RULE_EQUAL, RULE_SENSITIVITY = "equal", "sensitivity"
RULES = (RULE_EQUAL, RULE_SENSITIVITY)


def share(kpi, grain: str) -> float:
    """How much of a month value one ``grain`` period holds (sums only; levels stay)."""
    if kpi.aggregation != "sum" or grain not in GRAIN_DAYS:
        return 1.0
    return GRAIN_DAYS[grain] / AVG_MONTH_DAYS


@dataclass
class NodeCheck:
    kpi: object
    target: float  # month, formula units
    computed: float  # month, from the inputs' targets
    ok: bool

    @property
    def target_units(self):
        return self.kpi.from_formula_value(self.target)

    @property
    def computed_units(self):
        return self.kpi.from_formula_value(self.computed)

    @property
    def ratio(self):
        return self.computed / self.target if self.target else math.nan


class CascadeRefused(Exception):
    """A cascade that cannot be solved; ``message`` names the reason and the KPIs."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


class PlanTree:
    """KPIs, formulas and month targets (formula units) of one company's tree."""

    def __init__(self, kpis: dict, formulas: dict, month_targets: dict):
        self.kpis, self.formulas, self.targets = kpis, formulas, month_targets

    def month_value(self, code: str, values: dict | None = None, use_targets=True):
        """The month value of ``code``: its target (or ``values``), else from its inputs."""
        values = self.targets if values is None else values
        if use_targets and code in values:
            return values[code]
        formula = self.formulas.get(code)
        if formula is None:
            return values.get(code)
        kpi = self.kpis[code]
        grain = CADENCE_GRAIN[kpi.cadence]
        inputs = {}
        for name in formula.names:
            month = self.month_value(name, values, use_targets)
            if month is None or name not in self.kpis:
                return None
            inputs[name] = month * share(self.kpis[name], grain)
        return float(formula.evaluate(inputs)) / share(kpi, grain)

    def checks(self, root: str) -> list[NodeCheck]:
        """Every node with a target whose inputs all have a value, top down."""
        out = []
        for code in preorder(root, self.formulas):
            if code not in self.formulas or code not in self.targets:
                continue
            try:
                computed = self._from_inputs(code)
            except FormulaError:
                continue
            if computed is None or not math.isfinite(computed):
                continue
            target = self.targets[code]
            ok = abs(computed - target) <= NODE_TOLERANCE * abs(target)
            out.append(NodeCheck(self.kpis[code], target, computed, ok))
        return out

    def _from_inputs(self, code):
        values = dict(self.targets)
        values.pop(code)
        return self.month_value(code, values)

    def elasticities(self, node: str, codes: list) -> dict:
        """{code: % change of ``node`` per 1 % more of ``code``} at the current targets."""
        base = self.month_value(node, self.targets, use_targets=False)
        out = {}
        for code in codes:
            moved = {**self.targets, code: self.targets[code] * 1.01}
            value = self.month_value(node, moved, use_targets=False)
            ok = base and value is not None and math.isfinite(value)
            out[code] = (value / base - 1) / 0.01 if ok else 0.0
        return out

    def cascade(self, node: str, fixed: set, rule: str = RULE_EQUAL) -> dict:
        """{code: new month value} for the free leaves under ``node`` and the nodes between.

        ``equal``: every free leaf moves by the same relative lift (up when higher is
        better, down when lower is better) so that ``node`` meets its target.
        ``sensitivity``: each free leaf's lift is weighted by how much 1 % of it moves the
        node (its elasticity, relative to the strongest), so the levers that matter most
        carry most of the gap and a leaf that does not move the node stays. Fixed leaves
        stay in both.
        """
        if rule not in RULES:
            raise CascadeRefused(_("Choose how the gap is spread."), "bad_rule")
        if node not in self.targets:
            raise CascadeRefused(_("%(kpi)s has no target for this month to cascade from.")
                                 % {"kpi": self.kpis[node].name}, "no_target")
        under = [c for c in leaves(node, self.formulas) if c in self.kpis]
        missing = [c for c in under if self.targets.get(c) is None]
        if missing:
            raise CascadeRefused(_("These leaves have no target yet: %(names)s.") % {
                "names": ", ".join(self.kpis[c].name for c in missing)}, "missing_leaf")
        free = [c for c in under if c not in fixed]
        zero = [c for c in free if not self.targets[c]]
        if zero:
            raise CascadeRefused(_("A target of zero cannot be lifted: %(names)s.") % {
                "names": ", ".join(self.kpis[c].name for c in zero)}, "zero_leaf")
        if not free:
            raise CascadeRefused(_("Every leaf is fixed: nothing can move."), "nothing_free")

        weights = dict.fromkeys(free, 1.0)
        if rule == RULE_SENSITIVITY:
            strength = {c: abs(e) for c, e in self.elasticities(node, free).items()}
            strongest = max(strength.values(), default=0.0)
            if not strongest or not math.isfinite(strongest):
                raise CascadeRefused(_("No free leaf moves %(kpi)s at these targets.")
                                     % {"kpi": self.kpis[node].name}, "unsolvable")
            weights = {c: strength[c] / strongest for c in free}

        def lifted(scale):
            values = dict(self.targets)
            for code in free:
                values[code] = self.targets[code] * scale ** (
                    self.kpis[code].sign * weights[code])
            return values

        try:
            scale = solve_lift(
                lambda s: self.month_value(node, lifted(s), use_targets=False) or math.nan,
                self.targets[node])
        except FormulaError:
            raise CascadeRefused(_("No equal lift of the free leaves reaches the target."),
                                 "unsolvable") from None
        values = lifted(scale)
        proposal = {code: values[code] for code in free}
        for code in preorder(node, self.formulas):
            if code != node and code in self.formulas:
                proposal[code] = self.month_value(code, values, use_targets=False)
        return proposal


def fingerprint(proposal: dict) -> str:
    """A short digest of a proposal, so what is applied is what was reviewed."""
    text = ";".join(f"{code}={value:.6g}" for code, value in sorted(proposal.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
