"""The what-if fragment and the saved scenarios, shaped for their templates."""
from __future__ import annotations

from django.utils.translation import gettext as _

from core.formatting import format_change, format_value
from metrics.analytics.what_if import WhatIfInputs
from reviews.models import Reforecast
from reviews.reforecast.wording import join_names, kpi_name, percent_text, precise, signed_pp


def shifts_text(shifts: dict, leaves: dict) -> str:
    """"Conversion rate +5 %, Cost per click −3 %" (or "no change")."""
    parts = [f"{kpi_name(leaves.get(code, {}), code)} {format_change(pct, '%')}"
             for code, pct in shifts.items() if pct]
    return join_names(parts) if parts else _("no change")


def what_if_leaf_names(inputs: WhatIfInputs) -> dict[str, str]:
    """{code: name} of the snapshot's leaf KPIs (the sliders), in the active language."""
    return {code: kpi_name(leaf, code) for code, leaf in inputs.leaves.items()}


def what_if_view(row: Reforecast, inputs: WhatIfInputs, shifts: dict, probability: float,
                 p50: float) -> dict:
    """The what-if fragment: the new probability and P50, and the difference from baseline.

    Reads the snapshot's what-if inputs (leaf names, units, forecasts), not its payload.
    """
    unit = inputs.kgi_unit
    leaves = inputs.leaves
    delta = 100 * (probability - row.probability)
    p50_delta = 100 * (p50 - row.p50) / abs(row.p50) if row.p50 else 0.0
    moves = []
    for code, pct in shifts.items():
        if not pct or code not in leaves:
            continue
        leaf = leaves[code]
        moved = leaf["display_mean"] * (1 + pct / 100)
        moves.append({"name": kpi_name(leaf, code), "pct": format_change(pct, "%"),
                      "before": precise(leaf["display_mean"], leaf.get("unit", "")),
                      "after": precise(moved, leaf.get("unit", ""))})
    return {
        "probability": percent_text(probability),
        "delta": signed_pp(delta), "delta_good": delta >= 0, "delta_zero": abs(delta) < 0.05,
        "p50": format_value(p50, unit, compact=True),
        "p50_delta": format_change(round(p50_delta, 1), "%"), "p50_good": p50_delta >= 0,
        "baseline": percent_text(row.probability),
        "baseline_p50": format_value(row.p50, unit, compact=True),
        "moves": moves,
    }


def scenarios_view(row: Reforecast, inputs: WhatIfInputs | None = None) -> dict:
    """Saved scenarios next to the baseline, oldest first (one query).

    Names and unit come from the what-if ``inputs`` when the caller has them (saving a
    scenario), else from the payload the report page has already read.
    """
    if inputs is not None:
        unit, leaves = inputs.kgi_unit, inputs.leaves
    else:
        payload = row.payload or {}
        unit = payload.get("kgi", {}).get("unit", "")
        leaves = payload.get("leaves", {})
    items = []
    for scenario in row.scenarios.select_related("created_by").order_by("created_at"):
        delta = 100 * (scenario.probability - row.probability)
        items.append({
            "name": scenario.name, "probability": percent_text(scenario.probability),
            "delta": signed_pp(delta), "good": delta >= 0,
            "p50": format_value(scenario.p50, unit, compact=True),
            "moves": shifts_text(scenario.shifts, leaves),
            "by": (scenario.created_by.get_full_name() or scenario.created_by.username)
            if scenario.created_by else "",
        })
    return {"items": items,
            "baseline": {"probability": percent_text(row.probability),
                         "p50": format_value(row.p50, unit, compact=True)}}
