"""The dashboard's North Star card, printed by Python instead of the template.

Through the template engine its twenty tags, filters and translations cost the dashboard
about as much as a column of cards. ``north_star_section`` prints what
``{% with ns=north_star %}…{% endwith %}`` printed (tests/kgiapp/test_north_star_html.py
keeps that template as the reference), calling the same filters and tags.
"""
from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, stringformat
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from core import formatting
from metrics.card_html import escape


def _t(text):
    return escape(gettext(text))


def _compact(value, unit):
    return escape(formatting.format_value(value, unit, compact=True))


def _pct(value):
    return escape(floatformat(value, 0))


def _width(value):
    return escape(stringformat(value or 0, ".1f"))


def north_star_section(ns) -> str:
    """The North Star card of ``kgiapp.dashboard.north_star`` (or the card saying there is
    no active KGI when it is None), with the newlines around it the template printed."""
    if not ns:
        return mark_safe(  # noqa: S308 — every value is escaped
            f'\n<section class="card north-star" aria-labelledby="ns-title">\n  \n'
            f'  <div class="ns-main">\n'
            f'    <p class="eyebrow">{_t("North Star · KGI")}</p>\n'
            f'    <h2 id="ns-title">{_t("No active KGI yet")}</h2>\n'
            f'    <p class="muted">{_t("Set one final goal for the company; everything on this page hangs from it.")}</p>\n'  # noqa: E501
            f'  </div>\n  \n</section>\n')
    kgi, unit = ns.kgi, ns.kgi.unit
    out = [f'\n<section class="card north-star" aria-labelledby="ns-title">\n  \n'
           f'  <div class="ns-main">\n'
           f'    <p class="eyebrow">{_t("North Star · KGI")}</p>\n'
           f'    <h2 id="ns-title" class="ns-name">{escape(kgi.name)}</h2>\n'
           f'    <p class="ns-value"><span data-testid="ns-current">{_compact(ns.current, unit)}'
           f'</span>\n'
           f'      <span class="ns-of">/ {_compact(kgi.target, unit)}</span></p>\n'
           f'    <p class="muted ns-meta">\n      ']
    if ns.current_period:
        period = escape(date_filter(ns.current_period, "Y-m"))
        out.append(gettext("Latest: %(period)s") % {"period": period} + " · ")
    deadline_month = escape(date_filter(kgi.deadline, "Y-m"))
    out.append('\n      <span data-testid="ns-target-period">'
               + gettext("Target for %(period)s") % {"period": deadline_month} + "</span> ·\n      "
               + gettext("Deadline %(deadline)s") % {
                   "deadline": escape(date_filter(kgi.deadline, "Y-m-d"))})
    if ns.days_left is not None and ns.days_left >= 0:
        out.append(" · " + ngettext("%(days)s day left", "%(days)s days left", ns.days_left)
                   % {"days": escape(ns.days_left)})
    reached, elapsed = ns.reached_pct, ns.time_pct
    behind = (" bar-behind" if reached is not None and elapsed is not None and reached < elapsed
              else "")
    out.append(
        f'\n    </p>\n  </div>\n  <div class="ns-progress">\n    <div class="bar-row">\n'
        f'      <span class="bar-label">{_t("Target reached")}</span>\n'
        f'      <span class="bar" role="img" aria-label="{_t("Target reached")} {_pct(reached)}%">'
        f'<span class="bar-fill{behind}" style="width: {_width(reached)}%"></span></span>\n'
        f'      <span class="bar-num">{"—" if reached is None else _pct(reached) + "%"}</span>\n'
        f'    </div>\n    <div class="bar-row">\n'
        f'      <span class="bar-label">{_t("Time elapsed")}</span>\n'
        f'      <span class="bar" role="img" aria-label="{_t("Time elapsed")} {_pct(elapsed)}%">'
        f'<span class="bar-fill bar-time" style="width: {_width(elapsed)}%"></span></span>\n'
        f'      <span class="bar-num">{"—" if elapsed is None else _pct(elapsed) + "%"}</span>\n'
        f'    </div>\n'
        f'    <p class="muted small">{_t("From the baseline")} {_compact(kgi.baseline, unit)} '
        f'{_t("to the target")}</p>\n    ')
    if ns.at_target_early:
        out.append('<p class="small" data-testid="ns-hold">' + gettext(
            "At the target level already, but the target is %(period)s’s value: it has to hold "
            "until then (see the attainment probability).") % {"period": deadline_month}
            + "</p>")
    out.append("\n    ")
    if len(ns.series) > 1:
        out.append(f'\n    <figure class="ns-trend" data-testid="ns-value-trend">'
                   f'{formatting.sparkline_svg(ns.series, 160, 40, "sparkline ns-spark")}\n'
                   f'      <figcaption class="muted small">'
                   + gettext("%(name)s, recent periods") % {"name": escape(kgi.kpi.name)}
                   + "</figcaption></figure>\n    ")
    out.append(f'\n  </div>\n  <div class="ns-side">\n'
               f'    <p class="eyebrow">{_t("Attainment probability")}</p>\n    ')
    if ns.attainment is None:
        out.append(f'\n      <p class="ns-prob muted" data-testid="ns-attainment">'
                   f'{_t("Not yet computed")}</p>\n'
                   f'      <p class="muted small">{_t("Computed by the monthly reforecast.")}</p>\n'
                   f'    ')
    else:
        out.append(f'\n      <p class="ns-prob" data-testid="ns-attainment">'
                   f'{_pct(ns.attainment)}%</p>\n      ')
        months = len(ns.probability_series)
        if months > 1:
            out.append(
                f'\n      <figure class="ns-trend" data-testid="ns-probability-trend">'
                f'{formatting.sparkline_svg(ns.probability_series, 160, 40, "sparkline ns-spark")}\n'
                f'        <figcaption class="muted small">'
                + ngettext("Probability over the last %(months)s month",
                           "Probability over the last %(months)s months", months)
                % {"months": escape(months)} + "</figcaption></figure>\n      ")
        out.append("\n    ")
    out.append("\n  </div>\n  \n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 — every value is escaped
