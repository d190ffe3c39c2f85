"""The built-in summary provider: a deterministic draft from the numbers and notes.

Data in, text out — no database, no network. The text is written in the language it is
given (the team's company language, never the reader's: everyone sees the same summary),
with sentences translated through gettext like every other string.
"""
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.formatting import format_change


def _texts():
    """The summary's sentences in the active language (marked for gettext like any string)."""
    return {
        "movers": _("Biggest movers: %(items)s."),
        "mover": _("%(name)s %(change)s (%(verdict)s)"),
        "better": pgettext("summary", "better"),
        "worse": pgettext("summary", "worse"),
        "misses": _("Behind target: %(items)s."),
        "miss": _("%(name)s (%(change)s vs target)"),
        "no_misses": _("Nothing is behind target."),
        "anomalies": _("Anomalies: %(items)s."),
        "lowlights": _("Lowlights: %(items)s."),
        "highlights": _("Highlights: %(items)s."),
        "overdue": _("%(count)s overdue task(s): %(items)s."),
        "overdue_item": _("%(title)s (%(owner)s, due %(due)s)"),
        "steady": _("No large movements this week."),
        "sep": pgettext("summary list separator", ", "),
    }


MOVER_THRESHOLD_PCT = 3.0


def build_summary(*, numbers, notes=(), overdue_tasks=(), language="ja", movers=3):
    """A short draft summary.

    numbers: dicts with name_ja, name_en, change_pct (or None), vs_target_pct (or None),
    direction ("higher"/"lower"), anomaly (bool, optional).
    notes: (kind, text) pairs. overdue_tasks: (title, owner name, due ISO date) triples.
    """
    lang = "ja" if str(language).startswith("ja") else "en"
    with translation.override(lang):
        return _build(numbers, notes, overdue_tasks, lang, movers, _texts())


def _build(numbers, notes, overdue_tasks, lang, movers, t):

    def name(row):
        return row["name_ja"] if lang == "ja" else row["name_en"]

    def sign(row):
        return -1 if row.get("direction") == "lower" else 1

    lines = []
    moving = [r for r in numbers if r.get("change_pct") is not None
              and abs(r["change_pct"]) >= MOVER_THRESHOLD_PCT]
    moving.sort(key=lambda r: (-abs(r["change_pct"]), name(r)))
    if moving:
        items = [
            t["mover"] % {
                "name": name(r), "change": format_change(r["change_pct"], "%"),
                "verdict": t["better"] if r["change_pct"] * sign(r) > 0 else t["worse"],
            }
            for r in moving[:movers]
        ]
        lines.append(t["movers"] % {"items": t["sep"].join(items)})
    else:
        lines.append(t["steady"])

    misses = [r for r in numbers if r.get("vs_target_pct") is not None
              and r["vs_target_pct"] * sign(r) < 0]
    misses.sort(key=lambda r: (r["vs_target_pct"] * sign(r), name(r)))
    if misses:
        items = [t["miss"] % {"name": name(r), "change": format_change(r["vs_target_pct"], "%")}
                 for r in misses]
        lines.append(t["misses"] % {"items": t["sep"].join(items)})
    elif any(r.get("vs_target_pct") is not None for r in numbers):
        lines.append(t["no_misses"])

    anomalies = [name(r) for r in numbers if r.get("anomaly")]
    if anomalies:
        lines.append(t["anomalies"] % {"items": t["sep"].join(anomalies)})

    for kind in ("lowlight", "highlight"):
        texts = [text for k, text in notes if k == kind]
        if texts:
            lines.append(t[kind + "s"] % {"items": t["sep"].join(texts)})

    if overdue_tasks:
        items = [t["overdue_item"] % {"title": title, "owner": owner, "due": due}
                 for title, owner, due in overdue_tasks]
        lines.append(t["overdue"] % {"count": len(items), "items": t["sep"].join(items)})
    return "\n".join(lines)
