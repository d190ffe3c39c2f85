"""What the reforecast pages show: a snapshot's payload shaped for the template.

Every sentence and label is built here, in the active language, so the templates only
loop and print. Reads only: the pages' queries are the month list, the snapshot, its
scenarios and the decisions it names.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.formatting import format_change, format_value
from metrics.analytics import MAX_SHIFT_PCT
from reviews.models import Decision, Reforecast, ReforecastStatus

MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
WATERFALL_STEPS = 6  # the biggest movers; the rest are summed into one bar
SHIFT_LIMIT = int(MAX_SHIFT_PCT)  # the what-if sliders go from −30 % to +30 %
COLORS = {"total": "#2456d6", "up": "#12805c", "down": "#c01048", "muted": "#98a2b3"}


# --------------------------------------------------------------------------- months


def parse_month(text: str) -> date | None:
    """2026-11 → date(2026, 11, 1); None for anything else."""
    match = MONTH_KEY.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2200):
        return None
    return date(year, month, 1)


def month_label(month: date) -> str:
    """November 2026 / 2026年11月."""
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def month_short(month: date) -> str:
    """Nov 2026 / 2026年11月 (chart axes)."""
    return formats.date_format(month, pgettext("short month format", "M Y"))


@dataclass
class MonthRow:
    pk: int
    month: date
    status: str
    probability: float | None
    progress: int
    error: str

    @property
    def key(self):
        return f"{self.month:%Y-%m}"

    @property
    def label(self):
        return month_label(self.month)

    @property
    def is_done(self):
        return self.status == ReforecastStatus.DONE

    @property
    def percent(self):
        return None if self.probability is None else round(100 * self.probability)


def company_months(company) -> list[MonthRow]:
    """Every snapshot row of the company, oldest first, without payloads (one query)."""
    rows = (Reforecast.objects.filter(company=company).order_by("month")
            .values_list("pk", "month", "status", "probability", "progress", "error"))
    return [MonthRow(*row) for row in rows]


def snapshot(company, month: date) -> Reforecast | None:
    return Reforecast.objects.filter(company=company, month=month).first()


# --------------------------------------------------------------------------- names


def _is_ja() -> bool:
    return (translation.get_language() or "ja").startswith("ja")


def _name(item: dict, code: str = "") -> str:
    """A KPI's name in the active language, from a payload entry with name_ja / name_en."""
    if not item:
        return code
    first, second = ("name_ja", "name_en") if _is_ja() else ("name_en", "name_ja")
    return item.get(first) or item.get(second) or code


def _join(names: list[str]) -> str:
    return pgettext("list separator", ", ").join(names)


def _pp(value: float) -> str:
    """Percentage points with one decimal: 2.2 (no sign)."""
    return f"{abs(value):.1f}"


def _signed_pp(value: float) -> str:
    return format_change(round(value, 1), "pt")


def slider_text(value: int) -> str:
    """+5 % / −3 % / ±0 % (static/js/reforecast.js writes the same while sliding)."""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{abs(value)} %"


def _precise(value, unit) -> str:
    """A leaf's value with enough digits that a 1 % move shows (1.78 %, not 1.8 %)."""
    if value is not None and unit in ("percent", "ratio") and abs(value) < 100:
        return f"{value:,.2f} %" if unit == "percent" else f"{value:,.2f}"
    if value is not None and unit == "JPY" and abs(value) < 1000:
        return f"¥{value:,.1f}"
    return format_value(value, unit, compact=unit == "JPY" and abs(value or 0) >= 1_000_000)


def _percent(probability: float | None) -> str:
    return "—" if probability is None else f"{100 * probability:.0f}%"


# --------------------------------------------------------------------------- the report


@dataclass
class Report:
    """Everything the executive report shows, ready to print."""

    row: Reforecast
    month_label: str
    kgi_name: str
    probability: str
    tone: str
    change: dict | None
    headline: str
    percentiles: dict
    trend_chart: dict
    waterfall_chart: dict | None
    waterfall_table: list
    levers: dict
    risks: list
    decisions: list
    anomalies: list
    sliders: list
    footnote: dict
    months: list = field(default_factory=list)


def leaf_names(row: Reforecast) -> dict[str, str]:
    """{code: name} of the snapshot's leaf KPIs, in the active language."""
    return {code: _name(leaf, code)
            for code, leaf in (row.payload or {}).get("leaves", {}).items()}


def _tone(probability: float) -> str:
    if probability >= 0.7:
        return "good"
    return "warn" if probability >= 0.4 else "bad"


def reforecast_report(row: Reforecast, *, months: list[MonthRow],
                      shifts: dict | None = None) -> Report:
    """Shape a done snapshot for the report page (one query: the decisions it names).

    ``shifts`` ({code: percent}) puts the what-if sliders where the user left them.
    """
    payload = row.payload or {}
    kgi = payload.get("kgi", {})
    unit = kgi.get("unit", "")
    leaves = payload.get("leaves", {})
    changes = payload.get("changes") or {}
    previous = changes.get("previous")
    change = None
    if previous is not None:
        delta = 100 * (row.probability - previous)
        change = {"text": _signed_pp(delta), "good": delta >= 0,
                  "since": month_label(date.fromisoformat(changes["previous_month"]))}
    return Report(
        row=row,
        month_label=month_label(row.month),
        kgi_name=kgi.get("name", ""),
        probability=_percent(row.probability),
        tone=_tone(row.probability),
        change=change,
        headline=_headline(row, changes, leaves),
        percentiles=_percentiles(row, unit),
        trend_chart=_trend_chart(row, months),
        waterfall_chart=_waterfall_chart(row, changes, leaves),
        waterfall_table=_waterfall_table(changes, leaves),
        levers=_levers(payload.get("sensitivity", []), leaves),
        risks=_risks(payload.get("risks", []), leaves, payload.get("forecasts", {})),
        decisions=_decisions(row.company_id, payload.get("decisions", [])),
        anomalies=_anomalies(payload.get("anomalies", []), payload.get("forecasts", {})),
        sliders=_sliders(leaves, payload.get("sensitivity", []), shifts or {}),
        footnote={"draws": row.draws, "completed_at": row.completed_at,
                  "fingerprint": (row.fingerprint or "")[:12],
                  "deadline": row.deadline},
        months=[m for m in months if m.is_done],
    )


def _headline(row, changes, leaves) -> str:
    """One sentence an executive reads first: the chance, the move and what drove it."""
    chance = _percent(row.probability)
    previous = changes.get("previous")
    if previous is None:
        return _("%(chance)s chance of reaching the KGI by the deadline. This is the first "
                 "snapshot, so there is no change to explain yet.") % {"chance": chance}
    delta = 100 * (row.probability - previous)
    steps = [s for s in changes.get("steps", []) if abs(s.get("delta_pp", 0)) >= 0.5]
    ups = sorted((s for s in steps if s["delta_pp"] > 0), key=lambda s: -s["delta_pp"])[:2]
    downs = sorted((s for s in steps if s["delta_pp"] < 0), key=lambda s: s["delta_pp"])[:2]
    since = month_label(date.fromisoformat(changes["previous_month"]))
    if abs(delta) < 0.5:
        text = _("%(chance)s chance of reaching the KGI, about the same as in %(since)s.") % {
            "chance": chance, "since": since}
    elif delta > 0:
        text = _("%(chance)s chance of reaching the KGI, up %(pp)s pt since %(since)s.") % {
            "chance": chance, "pp": _pp(delta), "since": since}
    else:
        text = _("%(chance)s chance of reaching the KGI, down %(pp)s pt since %(since)s.") % {
            "chance": chance, "pp": _pp(delta), "since": since}
    space = "" if _is_ja() else " "  # Japanese sentences follow each other without a space
    if ups:
        text += space + _("Helped by %(kpis)s.") % {"kpis": _join(
            [f"{_step_name(s, leaves)} ({_signed_pp(s['delta_pp'])})" for s in ups])}
    if downs:
        text += space + _("Held back by %(kpis)s.") % {"kpis": _join(
            [f"{_step_name(s, leaves)} ({_signed_pp(s['delta_pp'])})" for s in downs])}
    return text


def _step_name(step, leaves) -> str:
    if step.get("kind") == "structure":
        return _("Target or KPI tree changed")
    return _name(leaves.get(step["code"], {}), step["code"])


def _percentiles(row, unit) -> dict:
    """P10 / P50 / P90 against the target, with positions on one scale for the range bar."""
    values = [v for v in (row.p10, row.p50, row.p90, row.target) if v is not None]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad

    def position(value):
        # A string, so the template never localises the number inside a style attribute.
        return f"{100 * (value - low) / (high - low):.1f}"

    target = row.target
    direction = 1 if (row.payload or {}).get("kgi", {}).get("direction", "higher") == "higher" \
        else -1
    p50_gap = None
    if target:
        gap = 100 * (row.p50 - target) / abs(target)
        p50_gap = {"text": format_change(round(gap, 1), "%"), "good": gap * direction >= 0}
    return {
        "p10": format_value(row.p10, unit, compact=True),
        "p50": format_value(row.p50, unit, compact=True),
        "p90": format_value(row.p90, unit, compact=True),
        "target": format_value(target, unit, compact=True),
        "p50_gap": p50_gap,
        "deadline": row.deadline,
        "pos": {"p10": position(row.p10), "p50": position(row.p50), "p90": position(row.p90),
                "target": position(target)},
        "band_width": f"{100 * (row.p90 - row.p10) / (high - low):.1f}",
    }


def _trend_chart(row, months) -> dict:
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


def _grouped_steps(changes, leaves) -> list[dict]:
    """The month's steps, biggest first; small ones summed into "Other KPIs"."""
    steps = [{"label": _step_name(s, leaves), "delta": float(s.get("delta_pp", 0.0)),
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


def _waterfall_chart(row, changes, leaves) -> dict | None:
    previous = changes.get("previous")
    if previous is None:
        return None
    steps = _grouped_steps(changes, leaves)
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


def _waterfall_table(changes, leaves) -> list[dict]:
    """The waterfall's numbers as rows (screen readers, print, and the value moves)."""
    out = []
    for step in _grouped_steps(changes, leaves):
        moved = ""
        if step["before"] is not None and step["after"] is not None:
            moved = f"{_precise(step['before'], step['unit'])} → " \
                    f"{_precise(step['after'], step['unit'])}"
        out.append({"label": step["label"], "delta": _signed_pp(step["delta"]),
                    "good": step["delta"] >= 0, "moved": moved})
    return out


def _better(direction: int) -> str:
    return (_("1 %% higher") if direction >= 0 else _("1 %% lower")) % {}


def _levers(sensitivity, leaves) -> dict:
    """Reallocation suggestions in words, from the sensitivity ranking.

    Leaves with the same effect (factors of one product) are one suggestion, so the list
    says "conversion rate, item price, items per order" instead of three equal lines.
    """
    groups: list[dict] = []
    for item in sensitivity:
        pp = round(float(item.get("delta_pp", 0.0)), 1)
        direction = int(item.get("direction", 1))
        name = _name(leaves.get(item["code"], {}), item["code"])
        last = groups[-1] if groups else None
        if last and last["pp"] == pp and last["direction"] == direction:
            last["names"].append(name)
            continue
        groups.append({"names": [name], "pp": pp, "direction": direction,
                       "p50": round(float(item.get("delta_p50_pct", 0.0)), 1)})
    items = [{"kpis": _join(g["names"]), "move": _better(g["direction"]),
              "pp": _signed_pp(g["pp"]), "p50": format_change(g["p50"], "%"),
              "each": len(g["names"]) > 1} for g in groups]
    sentence = ""
    if groups:
        first = groups[0]
        values = {"kpis": _join(first["names"]), "move": _better(first["direction"]),
                  "pp": _signed_pp(first["pp"])}
        if len(first["names"]) > 1:
            sentence = _("Biggest lever: %(kpis)s (%(move)s: %(pp)s of probability each).") \
                % values
        else:
            sentence = _("Biggest lever: %(kpis)s (%(move)s: %(pp)s of probability).") % values
        if len(groups) > 1:
            second = groups[1]
            sentence += ("" if _is_ja() else " ") + _("Next: %(kpis)s (%(move)s: %(pp)s).") % {
                "kpis": _join(second["names"]), "move": _better(second["direction"]),
                "pp": _signed_pp(second["pp"])}
    weakest = ""
    if len(groups) > 2 and groups[0]["pp"] > 0:
        tail = [g for g in groups[2:] if g["pp"] <= groups[0]["pp"] / 10]
        if tail:
            weakest = _("%(kpis)s move the probability least (%(pp)s pt or less per 1 %%): "
                        "effort there is better spent on the levers above.") % {
                "kpis": _join([n for g in tail for n in g["names"]]),
                "pp": _pp(max(g["pp"] for g in tail))}
    return {"sentence": sentence, "items": items, "weakest": weakest}


def _period_label(day: date, cadence: str) -> str:
    if cadence == "weekly":
        return _("week of %(day)s") % {"day": formats.date_format(day, "MONTH_DAY_FORMAT")}
    if cadence == "monthly":
        return month_label(day)
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def _anomaly(item, forecasts) -> dict:
    unit = item.get("unit", "")
    value = item.get("value")
    low, high = item.get("low"), item.get("high")
    if value is not None and value >= 0 and low is not None:
        low = max(0.0, low)  # a rate or a count is never expected below zero
    cadence = forecasts.get(item.get("code"), {}).get("cadence", "weekly")
    above = value is not None and high is not None and value > high
    return {
        "name": _name(item, item.get("code", "")),
        "when": _period_label(date.fromisoformat(item["period_start"]), cadence),
        "value": format_value(value, unit),
        "expected": f"{format_value(low, unit)} – {format_value(high, unit)}",
        "above": above,
        "direction": _("above the expected range") if above else _("below the expected range"),
        "score": item.get("score"),
    }


def _anomalies(items, forecasts) -> list[dict]:
    return [_anomaly(item, forecasts) for item in items]


def _risks(items, leaves, forecasts) -> list[dict]:
    """Top risks as sentences (a falling KPI, an anomaly, a KPI without recent numbers)."""
    out = []
    for item in items:
        kind = item.get("kind")
        if kind in ("falling", "leaf"):  # "leaf": snapshots stored before the kind fix
            leaf = leaves.get(item.get("code"), {})
            unit = leaf.get("unit", "")
            # "worsening", not "falling": for a lower-is-better KPI (cost per click) the
            # value that costs probability is a rise.
            out.append({"kind": "falling", "badge": _("worsening"),
                        "title": _name(leaf, item.get("code", "")),
                        "text": _("Forecast moved from %(before)s to %(after)s: %(pp)s of "
                                  "probability.") % {
                            "before": _precise(item.get("before"), unit),
                            "after": _precise(item.get("after"), unit),
                            "pp": _signed_pp(item.get("delta_pp", 0.0))}})
        elif kind == "anomaly":
            a = _anomaly(item, forecasts)
            out.append({"kind": "anomaly", "badge": _("anomaly"), "title": a["name"],
                        "text": _("Unusual %(when)s: %(value)s, %(direction)s "
                                  "(%(expected)s).") % a})
        elif kind == "stale":
            leaf = leaves.get(item.get("code"), {})
            out.append({"kind": "stale", "badge": _("no recent data"),
                        "title": _name(leaf, item.get("code", "")),
                        "text": _("No recent numbers: its forecast, and so the probability, "
                                  "is less certain.")})
    return out


def _decisions(company_id, items) -> list[dict]:
    """The decisions that mattered, with a link to their weekly review (one query)."""
    if not items:
        return []
    found = {d.pk: d for d in Decision.objects.filter(
        pk__in=[i["id"] for i in items], review__company_id=company_id)
        .select_related("review__team", "review__company", "kpi")}
    out, seen = [], set()
    for item in items:
        # Snapshots stored before decisions were grouped may repeat one sentence.
        key = (item.get("team"), item.get("kpi"), " ".join(item.get("text", "").split()))
        if key in seen:
            continue
        seen.add(key)
        decision = found.get(item["id"])
        url = kpi = ""
        if decision is not None:
            review = decision.review
            url = reverse("review-detail", args=[review.company.slug, review.team.slug,
                                                 review.week_label])
            kpi = decision.kpi.name if decision.kpi else ""
        out.append({"text": item.get("text", ""), "team": item.get("team", ""),
                    "week": _period_label(date.fromisoformat(item["week_start"]), "weekly"),
                    "kpi": kpi, "url": url, "weeks": item.get("weeks", 1)})
    return out


def _sliders(leaves, sensitivity, shifts) -> list[dict]:
    """One slider per leaf KPI, the biggest levers first."""
    order = {s["code"]: i for i, s in enumerate(sensitivity)}
    out = []
    for code in sorted(leaves, key=lambda c: (order.get(c, len(order)), c)):
        leaf = leaves[code]
        value = int(round(shifts.get(code, 0)))
        out.append({
            "code": code, "field": f"shift-{code}", "name": _name(leaf, code),
            "value": value, "value_text": slider_text(value),
            "baseline": _precise(leaf.get("display_mean"), leaf.get("unit", "")),
            "hint": _("higher is better") if leaf.get("direction", 1) >= 0
            else _("lower is better"),
            "min": -SHIFT_LIMIT, "max": SHIFT_LIMIT,
        })
    return out


# --------------------------------------------------------------------------- what-if


def shifts_text(shifts: dict, leaves: dict) -> str:
    """"Conversion rate +5 %, Cost per click −3 %" (or "no change")."""
    parts = [f"{_name(leaves.get(code, {}), code)} {format_change(pct, '%')}"
             for code, pct in shifts.items() if pct]
    return _join(parts) if parts else _("no change")


def what_if_view(row: Reforecast, shifts: dict, probability: float, p50: float) -> dict:
    """The what-if fragment: the new probability and P50, and the difference from baseline."""
    payload = row.payload or {}
    unit = payload.get("kgi", {}).get("unit", "")
    leaves = payload.get("leaves", {})
    delta = 100 * (probability - row.probability)
    p50_delta = 100 * (p50 - row.p50) / abs(row.p50) if row.p50 else 0.0
    moves = []
    for code, pct in shifts.items():
        if not pct or code not in leaves:
            continue
        leaf = leaves[code]
        moved = leaf["display_mean"] * (1 + pct / 100)
        moves.append({"name": _name(leaf, code), "pct": format_change(pct, "%"),
                      "before": _precise(leaf["display_mean"], leaf.get("unit", "")),
                      "after": _precise(moved, leaf.get("unit", ""))})
    return {
        "probability": _percent(probability),
        "delta": _signed_pp(delta), "delta_good": delta >= 0, "delta_zero": abs(delta) < 0.05,
        "p50": format_value(p50, unit, compact=True),
        "p50_delta": format_change(round(p50_delta, 1), "%"), "p50_good": p50_delta >= 0,
        "baseline": _percent(row.probability),
        "baseline_p50": format_value(row.p50, unit, compact=True),
        "moves": moves,
    }


def scenarios_view(row: Reforecast) -> dict:
    """Saved scenarios next to the baseline, oldest first (one query)."""
    payload = row.payload or {}
    unit = payload.get("kgi", {}).get("unit", "")
    leaves = payload.get("leaves", {})
    items = []
    for scenario in row.scenarios.select_related("created_by").order_by("created_at"):
        delta = 100 * (scenario.probability - row.probability)
        items.append({
            "name": scenario.name, "probability": _percent(scenario.probability),
            "delta": _signed_pp(delta), "good": delta >= 0,
            "p50": format_value(scenario.p50, unit, compact=True),
            "moves": shifts_text(scenario.shifts, leaves),
            "by": (scenario.created_by.get_full_name() or scenario.created_by.username)
            if scenario.created_by else "",
        })
    return {"items": items,
            "baseline": {"probability": _percent(row.probability),
                         "p50": format_value(row.p50, unit, compact=True)}}
