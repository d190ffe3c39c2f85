"""OKR arithmetic, pure: KR progress, weighted Objective progress, grades, aggregation.

Progress is always 0.0–1.0 and direction-aware: a lower-is-better KR (churn 1.6 % →
1.2 %) at 1.4 % is half done, at 1.8 % not started, at 1.1 % done.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def kr_progress(*, kind: str, direction: str, start, target, current) -> float | None:
    """How far a KR is from start to target (0–1); None when there is no current value.

    A control KR ("keep above / below") is 1.0 while the value is on the right side
    of the threshold (``target``) and 0.0 otherwise.
    """
    if current is None or target is None:
        return None
    current, target = float(current), float(target)
    better = 1 if direction == "higher" else -1
    if kind == "control":
        return 1.0 if (current - target) * better >= 0 else 0.0
    if start is None:
        return None
    start = float(start)
    if start == target:
        return 1.0 if (current - target) * better >= 0 else 0.0
    return clamp((current - start) / (target - start))


def weighted_progress(items: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted average of (progress, weight); a KR without a value counts as 0."""
    items = list(items)
    total = sum(float(w) for _p, w in items)
    if not items or total <= 0:
        return None
    return clamp(sum((p or 0.0) * float(w) for p, w in items) / total)


def grade(progress: float | None) -> float:
    """The usual OKR grade: progress rounded to one decimal, 0.0–1.0."""
    return round(clamp(progress or 0.0), 1)


def grade_band(score: float | None) -> str:
    """good (≥ 0.7, the usual 'hit'), warn (0.4–0.7), bad (< 0.4)."""
    if score is None:
        return "muted"
    if score >= 0.7:
        return "good"
    if score >= 0.4:
        return "warn"
    return "bad"


def aggregate(values: Sequence[float], aggregation: str) -> float | None:
    """A period's value from its measurements (oldest first): sum, average or last."""
    values = [float(v) for v in values if v is not None]
    if not values:
        return None
    if aggregation == "sum":
        return sum(values)
    if aggregation == "average":
        return sum(values) / len(values)
    return values[-1]


def running(values: Sequence[float], aggregation: str) -> list[float]:
    """The aggregate to date after each measurement (for a progress history)."""
    return [aggregate(values[: i + 1], aggregation) for i in range(len(values))]


def linear_projection(values: Sequence[float], steps_ahead: Sequence[int]) -> list[float]:
    """Least-squares line through ``values`` (equally spaced), evaluated ``steps_ahead``."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return []
    if n == 1:
        return [values[0] for _ in steps_ahead]
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / sxx
    return [mean_y + slope * (n - 1 + k - mean_x) for k in steps_ahead]
