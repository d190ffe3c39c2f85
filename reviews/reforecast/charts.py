"""The reforecast report's Chart.js configs: the probability trend and the month's waterfall."""
from __future__ import annotations

import math
from datetime import date

from django.utils.translation import gettext as _

from core.formatting import format_change
from reviews.reforecast.wording import kpi_name, month_short, precise, signed_pp

WATERFALL_STEPS = 6  # the biggest movers; the rest are summed into one bar
COLORS = {"total": "#2456d6", "up": "#12805c", "down": "#c01048", "muted": "#98a2b3"}


def step_name(step, leaves) -> str:
    if step.get("kind") == "structure":
        return _("Target or KPI tree changed")
    return kpi_name(leaves.get(step["code"], {}), step["code"])


def trend_chart(row, months) -> dict:
    done = [m for m in months if m.is_done and m.probability is not None]
    labels = [month_short(m.month) for m in done]
    data = [round(100 * m.probability, 1) for m in done]
    current = [m.pk == row.pk for m in done]
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": [{
            "label": _("Probability of reaching the KGI (%%)") % {}, "data": data,
            "borderColor": COLORS["total"], "backgroundColor": COLORS["total"],
            "pointRadius": [6 if c else 3 for c in current],
            "pointBackgroundColor": [COLORS["total"] if c else "#ffffff" for c in current],
            "borderWidth": 2, "cubicInterpolationMode": "monotone", "fill": False,
        }]},
        "options": {
            "responsive": True, "maintainAspectRatio": False, "animation": False,
            "layout": {"padding": {"top": 18, "right": 16}},
            "scales": {"y": {"min": 0, "max": 100, "title": {"display": True,
                                                              "text": _("probability (%%)") % {}}},
                       "x": {"grid": {"display": False}}},
            "plugins": {"legend": {"display": False}, "tooltip": {"enabled": False},
                        "kgiLabels": {"labels": [f"{v:.0f}%" for v in data]}},
        },
    }


def grouped_steps(changes, leaves) -> list[dict]:
    """The month's steps, biggest first; small ones summed into "Other KPIs"."""
    steps = [{"label": step_name(s, leaves), "delta": float(s.get("delta_pp", 0.0)),
              "before": s.get("before"), "after": s.get("after"),
              "unit": leaves.get(s.get("code"), {}).get("unit", "")}
             for s in changes.get("steps", [])]
    steps.sort(key=lambda s: -abs(s["delta"]))
    if len(steps) > WATERFALL_STEPS + 1:
        rest = steps[WATERFALL_STEPS:]
        steps = steps[:WATERFALL_STEPS] + [{
            "label": _("Other KPIs (%(n)s)") % {"n": len(rest)},
            "delta": round(sum(s["delta"] for s in rest), 2), "before": None, "after": None,
            "unit": ""}]
    return steps


def waterfall_chart(row, changes, leaves) -> dict | None:
    previous = changes.get("previous")
    if previous is None:
        return None
    steps = grouped_steps(changes, leaves)
    start = round(100 * previous, 2)
    end = round(100 * row.probability, 2)
    labels = [month_short(date.fromisoformat(changes["previous_month"]))]
    bars, colors, texts = [[0, start]], [COLORS["total"]], [f"{start:.0f}%"]
    level = start
    for step in steps:
        after = round(level + step["delta"], 2)
        labels.append(step["label"])
        bars.append([level, after])
        colors.append(COLORS["up"] if step["delta"] >= 0 else COLORS["down"])
        texts.append(format_change(round(step["delta"], 1), ""))
        level = after
    labels.append(month_short(row.month))
    bars.append([0, end])
    colors.append(COLORS["total"])
    texts.append(f"{end:.0f}%")
    top = max(max(b) for b in bars)
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": [{
            "label": _("Change in probability (pt)"), "data": bars,
            "backgroundColor": colors, "borderSkipped": False, "borderRadius": 3,
            "barPercentage": 0.8, "categoryPercentage": 0.9,
        }]},
        "options": {
            "responsive": True, "maintainAspectRatio": False, "animation": False,
            "layout": {"padding": {"top": 18}},
            "scales": {"y": {"min": 0, "max": min(100, 10 * math.ceil((top + 8) / 10)),
                             "title": {"display": True, "text": _("probability (%%)") % {}}},
                       "x": {"grid": {"display": False},
                             "ticks": {"autoSkip": False, "maxRotation": 40}}},
            "plugins": {"legend": {"display": False}, "tooltip": {"enabled": False},
                        "kgiLabels": {"labels": texts}},
        },
    }


def waterfall_table(changes, leaves) -> list[dict]:
    """The waterfall's numbers as rows (screen readers, print, and the value moves)."""
    out = []
    for step in grouped_steps(changes, leaves):
        moved = ""
        if step["before"] is not None and step["after"] is not None:
            moved = f"{precise(step['before'], step['unit'])} → " \
                    f"{precise(step['after'], step['unit'])}"
        out.append({"label": step["label"], "delta": signed_pp(step["delta"]),
                    "good": step["delta"] >= 0, "moved": moved})
    return out
