"""The weekly review's draft summary by the configured model, the built-in one as fallback.

The model sees this review's numbers (names, change and gap to target in %), notes and
overdue tasks of the team — nothing of another team or company — and writes in the
company's language. Any failure (off, slow, malformed, refusing) keeps the built-in draft.
"""
from metrics.assist import AssistError
from metrics.assist.chat import ask_json, model_name

TASK = ("You write the draft summary of a team's weekly KPI review for its manager: 3 to 6 "
        "short lines — biggest movers, what is behind target, anomalies, the notes' "
        "highlights and lowlights, overdue tasks. Use only the data given; invent no number.")
SCHEMA = {"type": "object", "required": ["summary"], "properties": {
    "summary": {"type": "string", "maxLength": 1500, "minLength": 1}}}
MAX_ROWS = 40


def _number(row):
    def pct(key):
        value = row.get(key)
        return None if value is None else round(float(value), 1)

    return {"name": row.get("name_ja") or row.get("name_en"), "name_en": row.get("name_en"),
            "change_pct": pct("change_pct"), "vs_target_pct": pct("vs_target_pct"),
            "better_when": row.get("direction"), "anomaly": bool(row.get("anomaly"))}


def draft_summary(*, review, numbers, notes, overdue, fallback: str) -> tuple[str, str]:
    """(text, drafted by: the model's name, or "" for the built-in draft)."""
    company = review.team.company
    data = {"team": review.team.name, "week": review.week_label,
            "numbers": [_number(r) for r in numbers[:MAX_ROWS]],
            "notes": [{"kind": kind, "text": text[:300]} for kind, text in notes[:MAX_ROWS]],
            "overdue_tasks": [{"title": t[:200], "owner": o, "due": d}
                              for t, o, d in overdue[:MAX_ROWS]]}
    try:
        answer = ask_json(task=TASK, data=data, schema=SCHEMA,
                          language=company.language or "ja", company_id=company.pk)
    except AssistError:
        return fallback, ""
    return answer["summary"], model_name()
