"""Solving a KPI tree for a value: goal seek on one leaf, or one equal lift of many.

Pure numpy/scipy, no Django; the tree itself (structure, evaluation) is engine.tree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy.optimize import brentq

from engine.formula import FormulaError, Value
from engine.tree import Formulas, leaves, root_value

# Goal seek scans x0·2^k for |k| ≤ this; 2^40 ≈ 1e12 covers any plausible KPI scale.
_SCAN_OCTAVES = 40


# --- goal seek ----------------------------------------------------------------------


def goal_seek(
    root: str,
    formulas: Formulas,
    values: Mapping[str, float],
    root_target: float,
    solve_for: str,
) -> float:
    """Return the value of leaf ``solve_for`` that makes ``root`` equal ``root_target``."""
    if solve_for not in leaves(root, formulas):
        raise FormulaError(
            "not_a_leaf",
            f"{solve_for!r} is not a measured KPI under {root!r}",
            name=solve_for,
            root=root,
        )

    def gap(x: Value) -> Value:
        return root_value(root, formulas, {**values, solve_for: x}) - root_target

    grid = _scan_grid(values.get(solve_for))
    with np.errstate(all="ignore"):
        gaps = np.asarray(gap(grid), dtype=np.float64) * np.ones_like(grid)
    tolerance = 1e-9 * max(abs(root_target), 1.0)
    current = values.get(solve_for)
    anchor = float(current) if current is not None and math.isfinite(current) else 0.0
    solutions = []
    for low, high in _brackets(grid, gaps):
        solution = _refine(gap, low, high)
        if solution is not None and abs(float(gap(solution))) <= tolerance:
            solutions.append(solution)
    if solutions:
        # Of several roots, the one nearest the current value is the answer people expect.
        return min(solutions, key=lambda x: (abs(x - anchor), x))
    raise FormulaError(
        "unsolvable",
        f"no value of {solve_for!r} makes {root!r} equal {root_target}",
        name=solve_for,
        target=root_target,
    )


def _scan_grid(current: float | None) -> np.ndarray:
    """Return candidate values at doubling distances from the current value, both signs."""
    scale = abs(current) if current is not None and math.isfinite(current) else 0.0
    scale = scale or 1.0
    magnitudes = scale * np.exp2(np.arange(-_SCAN_OCTAVES, _SCAN_OCTAVES + 1))
    return np.concatenate([-magnitudes[::-1], [0.0], magnitudes])


def _brackets(grid: np.ndarray, gaps: np.ndarray) -> list[tuple[float, float]]:
    """Return neighbouring grid points where the gap is zero or changes sign."""
    crossings = [
        i
        for i in range(len(grid) - 1)
        if np.isfinite(gaps[i])
        and np.isfinite(gaps[i + 1])
        and (gaps[i] == 0 or gaps[i + 1] == 0 or (gaps[i] < 0) != (gaps[i + 1] < 0))
    ]
    return [(float(grid[i]), float(grid[i + 1])) for i in crossings]


def _refine(gap, low: float, high: float) -> float | None:
    """Solve ``gap(x) = 0`` inside a sign-change bracket with Brent's method."""
    g_low, g_high = float(gap(low)), float(gap(high))
    if g_low == 0:
        return low
    if g_high == 0:
        return high
    try:
        with np.errstate(all="ignore"):
            # A tiny absolute tolerance lets the relative one decide, so small KPIs
            # (a churn of 0.008) come out as exact as large ones.
            solution = brentq(lambda x: float(gap(x)), low, high, xtol=1e-300, maxiter=500)
        return float(solution)
    except (ValueError, RuntimeError):
        return None


# --- equal lift ---------------------------------------------------------------------


def solve_lift(func, target: float, low: float = 1e-6, high: float = 1e6) -> float:
    """The scale ``s`` (low..high) with ``func(s) == target`` — one equal relative lift.

    ``func`` must change monotonically with ``s`` (each free leaf scaled by s, or by 1/s
    when lower is better). Raises FormulaError("unsolvable") when no such s exists.
    """
    def gap(s: float) -> float:
        return float(func(s)) - target

    with np.errstate(all="ignore"):
        g_low, g_high = gap(low), gap(high)
    if not (math.isfinite(g_low) and math.isfinite(g_high)) or (g_low < 0) == (g_high < 0):
        if g_low == 0:
            return low
        if g_high == 0:
            return high
        raise FormulaError("unsolvable", f"no equal lift reaches {target}", target=target)
    with np.errstate(all="ignore"):
        return float(brentq(gap, low, high, xtol=1e-12, rtol=1e-12, maxiter=500))
