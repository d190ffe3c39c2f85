"""The review's numbers table rows, printed by one Python function instead of the template.

Each row through the template engine cost some forty lookups, four filters and a tag; the
page printed them seven times. ``numbers_html`` prints the same bytes from the rows of
``reviews.selectors.review_numbers`` (every value escaped as the template engine escapes
it), with the table's words translated once per call.
"""
from __future__ import annotations

from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core import formatting


def _sparkline(values, width=96, height=24, css_class="sparkline") -> str:
    """What kgiapp's {% sparkline %} tag prints (its defaults)."""
    points = formatting.spark_points(values)
    if not points:
        return f'<svg class="{css_class}" width="{width}" height="{height}" aria-hidden="true"></svg>'
    box_w, box_h = formatting.SPARK_BOX
    return (f'<svg class="{css_class}" width="{width}" height="{height}" '
            f'viewBox="0 0 {box_w} {box_h}" preserveAspectRatio="none" aria-hidden="true">'
            f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
            f'vector-effect="non-scaling-stroke" points="{esc(points)}"/></svg>')


def numbers_html(rows) -> str:
    """The rows of the numbers table (``<tr>…</tr>`` each, indented as the page is)."""
    # As {% translate "…" %} prints a literal's translation: as it is (the catalogue's).
    missing = gettext("last week's number is missing")
    corrected_title = gettext("corrected since the review closed")
    corrected = gettext("corrected since:")
    target_word = gettext("target")
    out = []
    for row in rows:
        unit = row.get("unit")
        value = esc(formatting.format_value(row.get("value"), unit))
        if row.get("period_text"):
            css = "warn-text" if row.get("last_week_missing") else "muted"
            note = f" · {missing}" if row.get("last_week_missing") else ""
            value += f'<br><small class="{css}">{esc(row["period_text"])}{note}</small>'
        elif row.get("last_week_missing"):
            value += f'<br><small class="warn-text">{missing}</small>'
        if row.get("corrected_to"):
            value += (f'<br><small class="warn-text" title="{corrected_title}">{corrected} '
                      f'{esc(formatting.format_value(row["corrected_to"], unit))}</small>')
        good = row.get("change_good")
        change_css = "good-text" if good is True else "bad-text" if good is False else ""
        pct = row.get("change_pct")
        if pct is not None:
            arrow = "▲" if pct > 0 else "▼" if pct < 0 else ""
            change = f"{arrow} {esc(formatting.format_change(pct, '%'))}"
        else:
            change = "—"
        vs = row.get("vs_target_pct")
        if vs is not None:
            badge = "badge-good" if row.get("on_target") else "badge-bad"
            target = f'<span class="badge {badge}">{esc(formatting.format_change(vs, "%"))}</span>'
        else:
            target = '<span class="muted">—</span>'
        if row.get("target"):
            target += (f'<br><small class="muted" data-testid="review-target-{esc(row["code"])}">'
                       f'{target_word} {esc(formatting.format_value(row["target"], unit))}'
                       f'</small>')
        anomaly = (f'<span class="badge badge-warn">{esc(row["anomaly"])}</span>'
                   if row.get("anomaly") else "")
        out.append(
            f'\n      <tr>\n        <td>{esc(row.get("name", ""))}</td>\n'
            f'        <td class="num">{value}</td>\n'
            f'        <td class="num {change_css}">{change}</td>\n'
            f'        <td class="num">{target}</td>\n'
            f'        <td>{_sparkline(row.get("spark"))}</td>\n'
            f'        <td>{anomaly}</td>\n      </tr>\n    ')
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped
