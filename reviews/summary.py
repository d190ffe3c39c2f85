"""The built-in summary provider: a deterministic draft from the numbers and notes.

Pure: data in, text out — no database, no network, no active translation. The
integrator may route the same inputs to an OpenAI-compatible provider later
(kgiapp/assist); this one always works offline, in Japanese or English.
"""

TEXT = {
    "ja": {
        "movers": "大きく動いた指標: {items}。",
        "mover": "{name} {sign}{pct:.1f}%（{verdict}）",
        "better": "改善",
        "worse": "悪化",
        "misses": "目標未達: {items}。",
        "miss": "{name}（目標比 {pct:+.1f}%）",
        "no_misses": "目標に対する未達はありません。",
        "anomalies": "異常検知: {items}。",
        "lowlights": "課題: {items}。",
        "highlights": "良かった点: {items}。",
        "overdue": "期限切れのタスク {count}件: {items}。",
        "overdue_item": "{title}（{owner}、期限 {due}）",
        "steady": "今週は大きな変動はありません。",
        "sep": "、",
    },
    "en": {
        "movers": "Biggest movers: {items}.",
        "mover": "{name} {sign}{pct:.1f}% ({verdict})",
        "better": "better",
        "worse": "worse",
        "misses": "Behind target: {items}.",
        "miss": "{name} ({pct:+.1f}% vs target)",
        "no_misses": "Nothing is behind target.",
        "anomalies": "Anomalies: {items}.",
        "lowlights": "Lowlights: {items}.",
        "highlights": "Highlights: {items}.",
        "overdue": "{count} overdue task(s): {items}.",
        "overdue_item": "{title} ({owner}, due {due})",
        "steady": "No large movements this week.",
        "sep": ", ",
    },
}

MOVER_THRESHOLD_PCT = 3.0


def build_summary(*, numbers, notes=(), overdue_tasks=(), language="ja", movers=3):
    """A short draft summary.

    numbers: dicts with name_ja, name_en, change_pct (or None), vs_target_pct (or None),
    direction ("higher"/"lower"), anomaly (bool, optional).
    notes: (kind, text) pairs. overdue_tasks: (title, owner name, due ISO date) triples.
    """
    lang = "ja" if str(language).startswith("ja") else "en"
    t = TEXT[lang]

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
            t["mover"].format(
                name=name(r), sign="+" if r["change_pct"] >= 0 else "−",
                pct=abs(r["change_pct"]),
                verdict=t["better"] if r["change_pct"] * sign(r) > 0 else t["worse"],
            )
            for r in moving[:movers]
        ]
        lines.append(t["movers"].format(items=t["sep"].join(items)))
    else:
        lines.append(t["steady"])

    misses = [r for r in numbers if r.get("vs_target_pct") is not None
              and r["vs_target_pct"] * sign(r) < 0]
    misses.sort(key=lambda r: (r["vs_target_pct"] * sign(r), name(r)))
    if misses:
        items = [t["miss"].format(name=name(r), pct=r["vs_target_pct"]) for r in misses]
        lines.append(t["misses"].format(items=t["sep"].join(items)))
    elif any(r.get("vs_target_pct") is not None for r in numbers):
        lines.append(t["no_misses"])

    anomalies = [name(r) for r in numbers if r.get("anomaly")]
    if anomalies:
        lines.append(t["anomalies"].format(items=t["sep"].join(anomalies)))

    for kind in ("lowlight", "highlight"):
        texts = [text for k, text in notes if k == kind]
        if texts:
            lines.append(t[kind + "s"].format(items=t["sep"].join(texts)))

    if overdue_tasks:
        items = [t["overdue_item"].format(title=title, owner=owner, due=due)
                 for title, owner, due in overdue_tasks]
        lines.append(t["overdue"].format(count=len(items), items=t["sep"].join(items)))
    return "\n".join(lines)
