"""What the reforecast pages show: a snapshot's payload shaped for the template.

Every sentence and label is built here, in the active language, so the templates only
loop and print. Reads only: the pages' queries are the month list, the snapshot, its
scenarios and the decisions it names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.formatting import format_change, format_value
from metrics.analytics import MAX_SHIFT_PCT
from reviews.models import Decision, Reforecast
from reviews.reforecast.charts import step_name, trend_chart, waterfall_chart, waterfall_table
from reviews.reforecast.narrative_assist import narrative
from reviews.reforecast.selectors import MonthRow
from reviews.reforecast.wording import (
    is_ja,
    join_names,
    kpi_name,
    month_label,
    percent_text,
    pp_text,
    precise,
    signed_pp,
    slider_text,
)

SHIFT_LIMIT = int(MAX_SHIFT_PCT)  # the what-if sliders go from −30 % to +30 %


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
    plans: list = field(default_factory=list)  # each leaf: forecast vs plan at the deadline
    narrative: str = ""
    drafted_by: str = ""


def _tone(probability: float) -> str:
    if probability >= 0.7:
        return "good"
    return "warn" if probability >= 0.4 else "bad"


def reforecast_report(row: Reforecast, *, months: list[MonthRow],
                      shifts: dict | None = None, language: str | None = None) -> Report:
    """Shape a done snapshot for the report page (one query: the decisions it names).

    ``shifts`` ({code: percent}) puts the what-if sliders where the user left them. The
    headline and narrative are written in the company's ``language`` (everyone reads the
    same report), the rest of the page in the reader's.
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
        change = {"text": signed_pp(delta), "good": delta >= 0,
                  "since": month_label(date.fromisoformat(changes["previous_month"]))}
    language = language or row.company.language or "ja"
    with translation.override(language):
        headline = _headline(row, changes, leaves)
    story, drafted_by = narrative(row=row, headline=headline, language=language)
    return Report(
        narrative=story, drafted_by=drafted_by,
        row=row,
        month_label=month_label(row.month),
        kgi_name=kgi.get("name", ""),
        probability=percent_text(row.probability),
        tone=_tone(row.probability),
        change=change,
        headline=headline,
        percentiles=_percentiles(row, unit),
        trend_chart=trend_chart(row, months),
        waterfall_chart=waterfall_chart(row, changes, leaves),
        waterfall_table=waterfall_table(changes, leaves),
        levers=_levers(payload.get("sensitivity", []), leaves),
        risks=_risks(payload.get("risks", []), leaves, payload.get("forecasts", {})),
        decisions=_decisions(row.company_id, payload.get("decisions", [])),
        anomalies=_anomalies(payload.get("anomalies", []), payload.get("forecasts", {})),
        sliders=_sliders(leaves, payload.get("sensitivity", []), shifts or {}),
        footnote={"draws": row.draws, "completed_at": row.completed_at,
                  "fingerprint": (row.fingerprint or "")[:12],
                  "deadline": row.deadline},
        months=[m for m in months if m.is_done],
        plans=leaf_plans(leaves),
    )


def leaf_plans(leaves: dict) -> list[dict]:
    """Each leaf's forecast for the deadline period against its plan (metrics targets)."""
    out = []
    for code in sorted(leaves):
        leaf = leaves[code]
        plan, forecast = leaf.get("plan"), leaf.get("display_mean")
        gap = None
        if plan and forecast is not None:
            gap = 100 * (forecast - plan) / abs(plan)
        good = None if gap is None else gap * int(leaf.get("direction", 1)) >= 0
        out.append({"code": code, "name": kpi_name(leaf, code),
                    "forecast": format_value(forecast, leaf.get("unit", "")),
                    "plan": format_value(plan, leaf.get("unit", "")) if plan is not None
                    else "—",
                    "gap": format_change(gap, "%") if gap is not None else "—", "good": good})
    return out


def _headline(row, changes, leaves) -> str:
    """One sentence an executive reads first: the chance, the move and what drove it."""
    chance = percent_text(row.probability)
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
            "chance": chance, "pp": pp_text(delta), "since": since}
    else:
        text = _("%(chance)s chance of reaching the KGI, down %(pp)s pt since %(since)s.") % {
            "chance": chance, "pp": pp_text(delta), "since": since}
    space = "" if is_ja() else " "  # Japanese sentences follow each other without a space
    if ups:
        text += space + _("Helped by %(kpis)s.") % {"kpis": join_names(
            [f"{step_name(s, leaves)} ({signed_pp(s['delta_pp'])})" for s in ups])}
    if downs:
        text += space + _("Held back by %(kpis)s.") % {"kpis": join_names(
            [f"{step_name(s, leaves)} ({signed_pp(s['delta_pp'])})" for s in downs])}
    return text


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
        name = kpi_name(leaves.get(item["code"], {}), item["code"])
        last = groups[-1] if groups else None
        if last and last["pp"] == pp and last["direction"] == direction:
            last["names"].append(name)
            continue
        groups.append({"names": [name], "pp": pp, "direction": direction,
                       "p50": round(float(item.get("delta_p50_pct", 0.0)), 1)})
    items = [{"kpis": join_names(g["names"]), "move": _better(g["direction"]),
              "pp": signed_pp(g["pp"]), "p50": format_change(g["p50"], "%"),
              "each": len(g["names"]) > 1} for g in groups]
    sentence = ""
    if groups:
        first = groups[0]
        values = {"kpis": join_names(first["names"]), "move": _better(first["direction"]),
                  "pp": signed_pp(first["pp"])}
        if len(first["names"]) > 1:
            sentence = _("Biggest lever: %(kpis)s (%(move)s: %(pp)s of probability each).") \
                % values
        else:
            sentence = _("Biggest lever: %(kpis)s (%(move)s: %(pp)s of probability).") % values
        if len(groups) > 1:
            second = groups[1]
            sentence += ("" if is_ja() else " ") + _("Next: %(kpis)s (%(move)s: %(pp)s).") % {
                "kpis": join_names(second["names"]), "move": _better(second["direction"]),
                "pp": signed_pp(second["pp"])}
    weakest = ""
    if len(groups) > 2 and groups[0]["pp"] > 0:
        tail = [g for g in groups[2:] if g["pp"] <= groups[0]["pp"] / 10]
        if tail:
            weakest = _("%(kpis)s move the probability least (%(pp)s pt or less per 1 %%): "
                        "effort there is better spent on the levers above.") % {
                "kpis": join_names([n for g in tail for n in g["names"]]),
                "pp": pp_text(max(g["pp"] for g in tail))}
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
    # Snapshots stored before reviews/0005 name the cadence only in their forecasts.
    cadence = item.get("cadence") or forecasts.get(item.get("code"), {}).get("cadence",
                                                                           "weekly")
    above = value is not None and high is not None and value > high
    return {
        "name": kpi_name(item, item.get("code", "")),
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
                        "title": kpi_name(leaf, item.get("code", "")),
                        "text": _("Forecast moved from %(before)s to %(after)s: %(pp)s of "
                                  "probability.") % {
                            "before": precise(item.get("before"), unit),
                            "after": precise(item.get("after"), unit),
                            "pp": signed_pp(item.get("delta_pp", 0.0))}})
        elif kind == "anomaly":
            a = _anomaly(item, forecasts)
            out.append({"kind": "anomaly", "badge": _("anomaly"), "title": a["name"],
                        "text": _("Unusual %(when)s: %(value)s, %(direction)s "
                                  "(%(expected)s).") % a})
        elif kind == "stale":
            leaf = leaves.get(item.get("code"), {})
            out.append({"kind": "stale", "badge": _("no recent data"),
                        "title": kpi_name(leaf, item.get("code", "")),
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
            "code": code, "field": f"shift-{code}", "name": kpi_name(leaf, code),
            "value": value, "value_text": slider_text(value),
            "baseline": precise(leaf.get("display_mean"), leaf.get("unit", "")),
            "hint": _("higher is better") if leaf.get("direction", 1) >= 0
            else _("lower is better"),
            "min": -SHIFT_LIMIT, "max": SHIFT_LIMIT,
        })
    return out
