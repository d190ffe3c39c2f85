"""A KPI card's HTML, written by one Python function instead of a template include.

The dashboard shows up to 72 cards and the team page seven: through the template engine
each card cost a context push, an include and some thirty variable lookups, more than the
page's reads of the database. ``render_card`` prints the same HTML from a row that
``metrics.selectors.with_display`` has formatted (every value escaped as the template
engine escapes it), and ``card_words``
translates the card's seven words once per page in the active language.
"""
from __future__ import annotations

import html
import re

from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

_words: dict[str, dict[str, str]] = {}
# What the kpi-detail URL's slug converter accepts as it is (links are built by prefix).
SLUG_CODE = re.compile(r"[-a-zA-Z0-9_]+")


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})
_SPECIAL = re.compile("[&<>\"']")


def escape(value) -> str:
    """What the template engine prints for ``{{ value }}`` of a string: Django's escape is
    the standard library's (``html.escape``), and safe HTML stays as it is. A plain string
    without those five characters (most of a card's) is returned as it is."""
    if type(value) is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def card_words() -> dict[str, str]:
    """The card's words in the active language, escaped (kept per language: gettext's
    catalogues do not change while the process runs)."""
    language = get_language() or ""
    words = _words.get(language)
    if words is None:
        words = {key: escape(text) for key, text in (
            ("vs_previous", gettext("vs previous")), ("target", gettext("target")),
            ("focus", gettext("Focus")), ("focus_kpi", gettext("Focus KPI")),
            ("as_of", pgettext("card", "as of")), ("behind", gettext("behind the other cards")),
            ("ahead", gettext("newer than the other cards")))}
        _words[language] = words
    return words


def render_card(row, words=None) -> str:
    """One card (``<article class="kpi-card">…</article>`` and a newline), safe HTML."""
    w = words or card_words()
    out = [f'<article class="kpi-card kpi-{escape(row.status)}" data-kpi="{escape(row.code)}">\n'
           f'  <header class="kpi-card-head">\n'
           f'    <a class="kpi-name" href="{escape(row.href)}">{escape(row.name)}</a>\n    ']
    if row.is_focus:
        out.append(f'<span class="badge" title="{w["focus_kpi"]}">{w["focus"]}</span>')
    out.append(f'\n  </header>\n  <div class="kpi-card-body">\n    <div>\n'
               f'      <p class="kpi-value">{escape(row.value_text)}</p>\n      ')
    if row.period_text:
        behind = " kpi-behind" if row.behind or row.ahead else ""
        note = (f' · {w["behind"]}' if row.behind else f' · {w["ahead"]}' if row.ahead else "")
        out.append(f'<p class="kpi-asof{behind}">{w["as_of"]} {escape(row.period_text)}{note}</p>')
    good = (" up-good" if row.change_good is True else
            " up-bad" if row.change_good is False else "")
    out.append(f'\n      <p class="kpi-change{good}">{escape(row.change_text)} '
               f'<span class="muted">{w["vs_previous"]}</span></p>\n    </div>\n'
               f'    <svg class="sparkline" width="88" height="28" viewBox="0 0 100 30" '
               f'preserveAspectRatio="none" aria-hidden="true">')
    if row.spark:
        out.append(f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
                   f'vector-effect="non-scaling-stroke" points="{escape(row.spark)}"/>')
    out.append(f'</svg>\n  </div>\n  <footer class="kpi-card-foot">\n'
               f'    <span class="badge badge-{escape(row.status)}">{escape(row.status_label)}'
               f'</span>\n    ')
    if row.target_text:
        out.append(f'<span class="muted kpi-target">{w["target"]} {escape(row.target_text)}</span>')
    out.append("\n    ")
    for anomaly in row.anomalies:
        out.append(f'<span class="badge badge-bad">⚠ {escape(anomaly["label"])} · '
                   f'{escape(anomaly["period_text"])}</span>')
    out.append("\n  </footer>\n</article>\n")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped


def render_table_row(row) -> str:
    """One KPI as a row of the team page's monitoring table (a newline and indent first)."""
    good = (" up-good" if row.change_good is True else
            " up-bad" if row.change_good is False else "")
    spark = (f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
             f'vector-effect="non-scaling-stroke" points="{escape(row.spark)}"/>'
             if row.spark else "")
    return mark_safe(  # noqa: S308 — every value is escaped
        f'\n      <tr><td><a href="{escape(row.href)}">{escape(row.name)}</a></td>\n'
        f'        <td class="num">{escape(row.value_text)}</td>\n'
        f'        <td class="num kpi-change{good}">{escape(row.change_text)}</td>\n'
        f'        <td><span class="badge badge-{escape(row.status)}">'
        f'{escape(row.status_label)}</span></td>\n'
        f'        <td><svg class="sparkline" width="72" height="20" viewBox="0 0 100 30" '
        f'preserveAspectRatio="none" aria-hidden="true">{spark}</svg></td></tr>')


def render_phase(phase, cadence, words=None) -> str:
    """One column of the dashboard (``{"phase", "label", "rows", "hidden"}`` of
    ``layers_from``): its cards, or a dash, and the link to the KPIs it does not show."""
    w = words or card_words()
    none = "" if phase["rows"] else " phase-none"
    cards = "".join([render_card(row, w) for row in phase["rows"]]) or (
        '<p class="muted small phase-empty">—</p>')
    more = ""
    if phase["hidden"]:
        query = f"?cadence={escape(cadence)}&amp;all=1"
        n = phase["hidden"]
        more = (f'<a class="more-link small" href="{query}" hx-get="{query}" '
                f'hx-target="#layers" hx-swap="outerHTML" hx-push-url="true">'
                f'{ngettext("+ %(n)s more", "+ %(n)s more", n) % {"n": n}}</a>')
    return mark_safe(  # noqa: S308 — every value is escaped; the words are the catalogue's
        f'\n      <section class="phase phase-{escape(phase["phase"])}{none}">\n'
        f'        <h3 class="phase-title">{escape(phase["label"])}</h3>\n'
        f'        {cards}\n        {more}\n      </section>\n      ')
