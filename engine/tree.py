"""KPI trees: formulas tied together, evaluated, checked and ranked (solving: engine.solve).

``formulas`` maps a computed KPI code to its Formula; a code that appears in a formula
but has no formula of its own is a leaf (a KPI that is measured, not computed).
Errors are :class:`~metrics.engine.formula.FormulaError` with the codes listed there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from engine.formula import Formula, FormulaError, Value

Formulas = Mapping[str, Formula]


@dataclass(frozen=True)
class Consistency:
    """Whether leaf targets multiply (or add) up to the root target."""

    computed: float | None
    target: float
    ratio: float | None
    ok: bool
    missing: list[str]


@dataclass(frozen=True)
class Sensitivity:
    """How much a 1 % improvement of one leaf moves the root."""

    code: str
    delta_root: float
    delta_pct: float
    elasticity: float


# --- structure ----------------------------------------------------------------------


def _inputs(code: str, formulas: Formulas) -> tuple[str, ...]:
    """Return the codes a KPI is computed from, in formula order (none for a leaf)."""
    formula = formulas.get(code)
    return formula.names if formula is not None else ()


def find_cycle(formulas: Formulas) -> list[str] | None:
    """Return one dependency cycle as a path that ends where it starts, or None."""
    done: set[str] = set()
    for start in sorted(formulas):
        cycle = _cycle_from(start, formulas, done)
        if cycle:
            return cycle
    return None


def _cycle_from(start: str, formulas: Formulas, done: set[str]) -> list[str] | None:
    """Depth-first search from ``start`` without recursion, returning a cycle if met."""
    path: list[str] = []
    on_path: set[str] = set()
    stack: list[tuple[str, int]] = [(start, 0)]
    while stack:
        code, index = stack.pop()
        if index == 0:
            if code in done:
                continue
            if code in on_path:
                return path[path.index(code) :] + [code]
            path.append(code)
            on_path.add(code)
        inputs = _inputs(code, formulas)
        if index < len(inputs):
            stack.append((code, index + 1))
            stack.append((inputs[index], 0))
            continue
        done.add(code)
        on_path.discard(code)
        path.pop()
    return None


def check_acyclic(formulas: Formulas) -> None:
    """Raise ``self_reference`` or ``cycle`` if any KPI depends on itself."""
    cycle = find_cycle(formulas)
    if cycle is None:
        return
    path = " → ".join(cycle)
    if len(cycle) == 2:
        raise FormulaError(
            "self_reference", f"{cycle[0]!r} is computed from itself", name=cycle[0], path=path
        )
    raise FormulaError("cycle", f"formulas form a cycle: {path}", path=path)


def topological_order(formulas: Formulas) -> list[str]:
    """Return every code in the tree with each KPI after everything it is computed from."""
    check_acyclic(formulas)
    order: list[str] = []
    seen: set[str] = set()
    for code in sorted(formulas):
        _post_order(code, formulas, seen, order)
    return order


def _post_order(root: str, formulas: Formulas, seen: set[str], order: list[str]) -> None:
    """Append ``root`` and its inputs to ``order``, inputs first (tree must be acyclic)."""
    stack: list[tuple[str, bool]] = [(root, False)]
    while stack:
        code, expanded = stack.pop()
        if expanded:
            order.append(code)
            continue
        if code in seen:
            continue
        seen.add(code)
        stack.append((code, True))
        stack.extend((name, False) for name in reversed(_inputs(code, formulas)))


def reachable(root: str, formulas: Formulas) -> set[str]:
    """Return ``root`` and every KPI that feeds it, directly or indirectly."""
    seen = {root}
    todo = [root]
    while todo:
        for name in _inputs(todo.pop(), formulas):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def leaves(root: str, formulas: Formulas) -> list[str]:
    """Return the measured KPIs under ``root`` in the order the formulas mention them."""
    return [code for code in _preorder(root, formulas) if code not in formulas]


def _preorder(root: str, formulas: Formulas) -> list[str]:
    """List codes under ``root`` depth first, each once, in formula order."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [root]
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        order.append(code)
        stack.extend(reversed(_inputs(code, formulas)))
    return order


def _restrict(root: str, formulas: Formulas) -> dict[str, Formula]:
    """Keep only the formulas that feed ``root``."""
    return {code: formulas[code] for code in reachable(root, formulas) if code in formulas}


# --- evaluation ---------------------------------------------------------------------


def evaluate_tree(
    root: str, formulas: Formulas, leaf_values: Mapping[str, Value]
) -> dict[str, Value]:
    """Return the value of every KPI under ``root`` (floats or numpy arrays) from its leaves."""
    subtree = _restrict(root, formulas)
    order = topological_order(subtree) if subtree else [root]
    values: dict[str, Value] = {}
    for code in order:
        if code in subtree:
            values[code] = subtree[code].evaluate(values)
        elif code in leaf_values:
            values[code] = leaf_values[code]
        else:
            raise FormulaError("missing_value", f"no value for {code!r}", name=code)
    return values


class TreeEvaluator:
    """``evaluate_tree`` for one root, plus its value with one leaf changed.

    `changed` recomputes only the KPIs that read the leaf (directly or not), in the same
    order and with the same inputs as a full evaluation, and takes every other KPI from
    the cached full evaluation: bit-identical results at the cost of the leaf's ancestors.
    """

    def __init__(self, root: str, formulas: Formulas) -> None:
        self.root = root
        self.subtree = _restrict(root, formulas)
        self.order = topological_order(self.subtree) if self.subtree else [root]
        self._readers: dict[str, list[str]] = {}
        for code in self.order:
            for name in self.subtree[code].variables if code in self.subtree else ():
                self._readers.setdefault(name, []).append(code)
        self._position = {code: i for i, code in enumerate(self.order)}

    def evaluate(self, leaf_values: Mapping[str, Value]) -> dict[str, Value]:
        return evaluate_tree(self.root, self.subtree, leaf_values)

    def ancestors(self, leaf: str) -> list[str]:
        """The KPIs whose value depends on `leaf`, in evaluation order."""
        found: set[str] = set()
        todo = [leaf]
        while todo:
            for code in self._readers.get(todo.pop(), ()):
                if code not in found:
                    found.add(code)
                    todo.append(code)
        return sorted(found, key=self._position.__getitem__)

    def changed(self, cached: Mapping[str, Value], leaf: str, value: Value) -> Value:
        """The root's value when `leaf` is `value` and the rest is as in `cached`."""
        values = dict(cached)
        values[leaf] = value
        for code in self.ancestors(leaf):
            values[code] = self.subtree[code].evaluate(values)
        return values[self.root]


def root_value(root: str, formulas: Formulas, values: Mapping[str, Value]) -> Value:
    """Return only the root's value."""
    return evaluate_tree(root, formulas, values)[root]


def check_consistency(
    root: str,
    formulas: Formulas,
    leaf_targets: Mapping[str, float],
    root_target: float,
    rel_tol: float = 0.01,
) -> Consistency:
    """Compare the root computed from leaf targets with the root's own target."""
    missing = [code for code in leaves(root, formulas) if code not in leaf_targets]
    if missing:
        return Consistency(None, float(root_target), None, False, missing)
    computed = float(root_value(root, formulas, leaf_targets))
    with np.errstate(all="ignore"):
        ratio = float(np.true_divide(computed, np.float64(root_target)))
    ok = math.isfinite(computed) and abs(computed - root_target) <= rel_tol * abs(root_target)
    return Consistency(computed, float(root_target), ratio, ok, [])


# --- sensitivity --------------------------------------------------------------------


def sensitivity(
    root: str,
    formulas: Formulas,
    values: Mapping[str, float],
    directions: Mapping[str, int] | None = None,
    step: float = 0.01,
) -> list[Sensitivity]:
    """Rank leaves by how much a ``step`` improvement of each moves the root, largest first."""
    directions = directions or {}
    base = float(root_value(root, formulas, values))
    results = []
    for code in leaves(root, formulas):
        direction = _direction(code, directions)
        moved = {**values, code: values[code] * (1 + direction * step)}
        delta = float(root_value(root, formulas, moved)) - base
        with np.errstate(all="ignore"):
            relative = float(np.true_divide(delta, abs(base)))
        elasticity = relative / (direction * step) if step else math.nan
        results.append(Sensitivity(code, delta, relative * 100, elasticity))
    results.sort(key=_rank_key)
    return results


def _direction(code: str, directions: Mapping[str, int]) -> int:
    """Return +1 (higher is better) unless the KPI is marked -1 (lower is better)."""
    direction = directions.get(code, 1)
    if direction not in (1, -1):
        raise FormulaError(
            "invalid_direction",
            f"direction for {code!r} must be +1 or -1, not {direction!r}",
            name=code,
            direction=direction,
        )
    return int(direction)


def _rank_key(item: Sensitivity) -> tuple[bool, float]:
    """Sort biggest absolute relative change first and undefined (nan) changes last."""
    pct = item.delta_pct
    return (math.isnan(pct), -abs(pct) if not math.isnan(pct) else 0.0)


# --- cascade ------------------------------------------------------------------------


def preorder(root: str, formulas: Formulas) -> list[str]:
    """Codes under ``root`` depth first (root first), each once, in formula order."""
    return _preorder(root, formulas)
