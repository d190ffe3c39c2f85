"""The monthly report's narrative by the configured model (the built-in headline otherwise).

The model sees this snapshot's figures only — the KGI, the probability and its change, the
steps that moved it, the risks and levers by KPI name — and writes 2 to 4 sentences in the
company's language. Any failure leaves the page with the built-in headline alone.
"""
from metrics.assist import AssistError, external_configured
from metrics.assist.chat import ask_json, model_name

TASK = ("You write the narrative of a monthly KGI reforecast report for executives: 2 to 4 "
        "sentences on the chance of reaching the KGI, what changed since last month and why, "
        "and which KPI to push. Use only the figures given; invent no number.")
SCHEMA = {"type": "object", "required": ["narrative"], "properties": {
    "narrative": {"type": "string", "maxLength": 1200, "minLength": 1}}}


def narrative(*, row, headline: str, language: str) -> tuple[str, str]:
    """(narrative, drafted by) — ("", "") when no model is configured or it fails."""
    if not external_configured():
        return "", ""
    payload = row.payload or {}
    leaves = payload.get("leaves", {})

    def name(code):
        leaf = leaves.get(code) or {}
        return leaf.get("name_ja") or leaf.get("name_en") or code

    changes = payload.get("changes") or {}
    data = {
        "snapshot": row.pk, "fingerprint": row.fingerprint, "month": row.month.isoformat(),
        "kgi": (payload.get("kgi") or {}).get("name", ""),
        "probability_pct": round(100 * (row.probability or 0), 1),
        "previous_probability_pct": None if changes.get("previous") is None
        else round(100 * changes["previous"], 1),
        "steps_pp": [{"kpi": name(s.get("code", "")), "delta_pp": round(s.get("delta_pp", 0), 1)}
                     for s in changes.get("steps", [])[:10]],
        "levers": [{"kpi": name(s.get("code", "")),
                    "pp_per_1pct": round(float(s.get("delta_pp", 0) or 0), 2)}
                   for s in payload.get("sensitivity", [])[:5] if isinstance(s, dict)],
        "headline": headline,
    }
    try:
        answer = ask_json(task=TASK, data=data, schema=SCHEMA, language=language,
                          company_id=row.company_id)
    except AssistError:
        return "", ""
    return answer["narrative"], model_name()
