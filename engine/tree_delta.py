"""A KPI tree's root with one leaf changed, at the cost of the terms that leaf feeds.

The sensitivity ranking moves one leaf at a time over 10,000 draws. Recomputing the
leaf's ancestors (``engine.tree.TreeEvaluator.changed``) costs their whole formulas, so a
group KPI that sums n team products costs n products for each of its n leaves: n². Here
each formula is kept as chains of operands (``a*b + c*d - e`` is one sum of three terms,
``a*b`` one product of two factors) with every operand's value cached, and a wide chain
(``WIDE`` operands or more) takes a changed operand as a difference: a sum adds
(new − old), a product multiplies by new / old. So a leaf costs the chains on its path,
not the width of its ancestors' formulas.

Narrow chains (``uu * cvr * aov``) are recomputed in full from the cached operands, in the
same order as ``Formula.evaluate``, so their results are bit-identical. A wide chain's
difference rounds once more than a full evaluation (relative 1e-16 of the chain); where it
cannot be trusted (a non-finite operand or result, a zero divisor or factor) the chain is
recomputed in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from engine.formula import Formula, Value, _Binary, _Const, _Node, _Unary, _Var
from engine.tree import Formulas, TreeEvaluator

# A chain of fewer operands is recomputed in full (exact, at most 6 array operations); from
# this width a changed operand is applied as a difference (3 array operations and a check
# over the result), O(1) whatever the width.
WIDE = 8

_SUM, _PRODUCT = ("+", "-"), ("*", "/")
_UFUNC = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide}


@dataclass(eq=False)
class _Op:
    """One compiled node: a name, a number, a sign, or a chain first (op operand)*."""

    kind: str  # "var", "const", "unary", "chain"
    names: frozenset[str]
    name: str = ""
    value: float = 0.0
    sign: str = "+"
    operands: list[_Op] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)  # ops[i] joins operands[i]; ops[0] + or *
    family: tuple[str, str] = _SUM
    # name → indexes of the operands that read it (a wide chain touches only those)
    readers: dict[str, list[int]] = field(default_factory=dict)


def _compile(node: _Node) -> _Op:
    """Our tree of a parsed formula: left-leaning + / - (or * / /) runs become one chain."""
    if isinstance(node, _Const):
        return _Op("const", frozenset(), value=node.value)
    if isinstance(node, _Var):
        return _Op("var", frozenset([node.name]), name=node.name)
    if isinstance(node, _Unary):
        inner = _compile(node.operand)
        return _Op("unary", inner.names, sign=node.op, operands=[inner])
    family = _SUM if node.op in _SUM else _PRODUCT
    # Python parses a + b + c as (a + b) + c: walk down the left side while it stays in
    # the same family, so the chain evaluates in exactly the formula's order.
    rights, ops = [], []
    while isinstance(node, _Binary) and node.op in family:
        rights.append(node.right)
        ops.append(node.op)
        node = node.left
    operands = [_compile(node)] + [_compile(n) for n in reversed(rights)]
    readers: dict[str, list[int]] = {}
    for i, operand in enumerate(operands):
        for name in operand.names:
            readers.setdefault(name, []).append(i)
    names = frozenset().union(*(o.names for o in operands))
    return _Op("chain", names, operands=operands, ops=[family[0]] + list(reversed(ops)),
               family=family, readers=readers)


def _full(op: _Op, values: Mapping[str, Value], store: dict | None) -> Value:
    """The node's value as ``Formula.evaluate`` computes it; chains saved in `store`."""
    if op.kind == "var":
        return values[op.name]
    if op.kind == "const":
        return np.float64(op.value)
    if op.kind == "unary":
        inner = _full(op.operands[0], values, store)
        return np.negative(inner) if op.sign == "-" else np.positive(inner)
    acc = _full(op.operands[0], values, store)
    for sym, operand in zip(op.ops[1:], op.operands[1:]):
        acc = _UFUNC[sym](acc, _full(operand, values, store))
    if store is not None:
        store[id(op)] = acc
    return acc


class _State:
    """A cached evaluation: every KPI's value and every chain's value under it."""

    def __init__(self, values: dict[str, Value], chains: dict[int, Value]) -> None:
        self.values, self.chains = values, chains

    def old(self, op: _Op) -> Value:
        if op.kind == "var":
            return self.values[op.name]
        if op.kind == "const":
            return np.float64(op.value)
        if op.kind == "chain":
            return self.chains[id(op)]
        inner = self.old(op.operands[0])
        return np.negative(inner) if op.sign == "-" else np.positive(inner)


def _moved(op: _Op, state: _State, new: Mapping[str, Value]) -> Value:
    """The node's value when the names in `new` take those values (the rest as in state)."""
    if new.keys().isdisjoint(op.names):
        return state.old(op)
    if op.kind == "var":
        return new[op.name]
    if op.kind == "unary":
        inner = _moved(op.operands[0], state, new)
        return np.negative(inner) if op.sign == "-" else np.positive(inner)
    touched = sorted({i for name in new.keys() & op.names for i in op.readers[name]})
    if len(op.operands) >= WIDE and 2 * len(touched) < len(op.operands):
        moved = _by_difference(op, state, new, touched)
        if moved is not None:
            return moved
    acc = _moved(op.operands[0], state, new)
    for sym, operand in zip(op.ops[1:], op.operands[1:]):
        acc = _UFUNC[sym](acc, _moved(operand, state, new))
    return acc


def _by_difference(op: _Op, state: _State, new, touched: list[int]) -> Value | None:
    """A wide chain's new value from its old one and the touched operands, or None
    where a difference or ratio would not give the full evaluation's number.

    That is wherever the result is not finite: an infinite or undefined operand, before or
    after, makes the step inf or nan (inf − inf, x / 0, 0 / 0, 0 × inf), and that reaches
    the result; with finite operands, nonzero where they divide, the update is exact up to
    one rounding."""
    acc = state.chains[id(op)]
    for i in touched:
        before = state.old(op.operands[i])
        after = _moved(op.operands[i], state, new)
        if op.family is _SUM:
            step = np.subtract(after, before)
            acc = np.add(acc, step) if op.ops[i] == "+" else np.subtract(acc, step)
        else:
            ratio = after / before if op.ops[i] == "*" else before / after
            acc = np.multiply(acc, ratio)
    return acc if np.all(np.isfinite(acc)) else None


def _as_value(result) -> Value:
    """As ``Formula.evaluate`` returns: a float for a scalar, else an array."""
    return float(result) if np.ndim(result) == 0 else np.asarray(result)


class DeltaTreeEvaluator:
    """``TreeEvaluator``'s `evaluate` / `changed`, with `changed` costing the chains a leaf
    feeds rather than its ancestors' whole formulas; `cache` gives the state it reads."""

    def __init__(self, root: str, formulas: Formulas) -> None:
        self.tree = TreeEvaluator(root, formulas)
        self.root = root
        self.plans = {code: _compile(formula._root)  # noqa: SLF001 - the engine's own tree
                      for code, formula in self.tree.subtree.items()}
        self._ancestors: dict[str, list[str]] = {}

    def evaluate(self, leaf_values: Mapping[str, Value]) -> dict[str, Value]:
        return self.tree.evaluate(leaf_values)

    def cache(self, leaf_values: Mapping[str, Value]) -> _State:
        """Every KPI's value (as ``evaluate`` gives them) and every chain's, for `changed`."""
        values: dict[str, Value] = {}
        chains: dict[int, Value] = {}
        for code in self.tree.order:
            if code in self.plans:
                formula: Formula = self.tree.subtree[code]
                arrays = {name: np.asarray(values[name], dtype=np.float64)
                          for name in formula.names}
                with np.errstate(all="ignore"):
                    values[code] = _as_value(_full(self.plans[code], arrays, chains))
            elif code in leaf_values:
                values[code] = leaf_values[code]
            else:
                self.tree.evaluate(leaf_values)  # raises the missing value's FormulaError
        return _State(values, chains)

    def changed(self, state: _State, leaf: str, value: Value) -> Value:
        """The root's value when `leaf` is `value` and the rest is as in `state`."""
        if leaf not in self._ancestors:
            self._ancestors[leaf] = self.tree.ancestors(leaf)
        new = {leaf: np.asarray(value, dtype=np.float64)}
        with np.errstate(all="ignore"):
            for code in self._ancestors[leaf]:
                new[code] = _as_value(_moved(self.plans[code], state, new))
        if leaf == self.root:
            return value
        return new.get(self.root, state.values[self.root])
