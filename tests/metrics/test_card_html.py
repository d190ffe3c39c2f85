"""KPI cards and monitoring rows printed by metrics.card_html are the HTML the templates
printed, in ja and en."""
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.utils import translation

from metrics.card_html import render_card, render_phase, render_table_row
from metrics.selectors import KpiRow

# The card template the pages included until render_card replaced it (kept here, verbatim,
# as the reference the Python must print byte for byte).
OLD_TEMPLATE = """{% load i18n %}{% translate "vs previous" as w_vs_previous %}{% translate "target" as w_target %}{% translate "Focus" as w_focus %}{% translate "Focus KPI" as w_focus_kpi %}{% translate "as of" context "card" as w_as_of %}{% translate "behind the other cards" as w_behind %}{% translate "newer than the other cards" as w_ahead %}{% for row in rows %}{% include "card" %}{% endfor %}"""
OLD_CARD = """<article class="kpi-card kpi-{{ row.status }}" data-kpi="{{ row.code }}">
  <header class="kpi-card-head">
    <a class="kpi-name" href="{{ row.href }}">{{ row.name }}</a>
    {% if row.is_focus %}<span class="badge" title="{{ w_focus_kpi }}">{{ w_focus }}</span>{% endif %}
  </header>
  <div class="kpi-card-body">
    <div>
      <p class="kpi-value">{{ row.value_text }}</p>
      {% if row.period_text %}<p class="kpi-asof{% if row.behind or row.ahead %} kpi-behind{% endif %}">{{ w_as_of }} {{ row.period_text }}{% if row.behind %} · {{ w_behind }}{% elif row.ahead %} · {{ w_ahead }}{% endif %}</p>{% endif %}
      <p class="kpi-change{% if row.change_good is True %} up-good{% elif row.change_good is False %} up-bad{% endif %}">{{ row.change_text }} <span class="muted">{{ w_vs_previous }}</span></p>
    </div>
    <svg class="sparkline" width="88" height="28" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">{% if row.spark %}<polyline fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" points="{{ row.spark }}"/>{% endif %}</svg>
  </div>
  <footer class="kpi-card-foot">
    <span class="badge badge-{{ row.status }}">{{ row.status_label }}</span>
    {% if row.target_text %}<span class="muted kpi-target">{{ w_target }} {{ row.target_text }}</span>{% endif %}
    {% for anomaly in row.anomalies %}<span class="badge badge-bad">⚠ {{ anomaly.label }} · {{ anomaly.period_text }}</span>{% endfor %}
  </footer>
</article>
"""

OLD_TABLE = """{% for row in rows %}
      <tr><td><a href="{{ row.href }}">{{ row.name }}</a></td>
        <td class="num">{{ row.value_text }}</td>
        <td class="num kpi-change{% if row.change_good is True %} up-good{% elif row.change_good is False %} up-bad{% endif %}">{{ row.change_text }}</td>
        <td><span class="badge badge-{{ row.status }}">{{ row.status_label }}</span></td>
        <td><svg class="sparkline" width="72" height="20" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">{% if row.spark %}<polyline fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" points="{{ row.spark }}"/>{% endif %}</svg></td></tr>{% endfor %}"""

OLD_PHASES = """{% load i18n %}{% for p in phases %}
      <section class="phase phase-{{ p.phase }}{% if not p.rows %} phase-none{% endif %}">
        <h3 class="phase-title">{{ p.label }}</h3>
        {% for row in p.rows %}{% include "card" %}{% empty %}<p class="muted small phase-empty">—</p>{% endfor %}
        {% if p.hidden %}<a class="more-link small" href="?cadence={{ cadence }}&amp;all=1" hx-get="?cadence={{ cadence }}&amp;all=1" hx-target="#layers" hx-swap="outerHTML" hx-push-url="true">{% blocktranslate count n=p.hidden %}+ {{ n }} more{% plural %}+ {{ n }} more{% endblocktranslate %}</a>{% endif %}
      </section>
      {% endfor %}"""


def _row(**kwargs):
    row = KpiRow(pk=1, code="t1_k0", name_ja="売上 <総額>", name_en="Revenue & more", unit="JPY",
                 direction="higher", kind="leading", phase="revenue", cadence="weekly",
                 focus="active", aggregation="sum", team_id=1)
    row.href = "/acme/kpis/t1_k0/?a=1&b=2"
    row.value_text, row.change_text, row.target_text = "¥8,300万", "+3.2 %", "¥9,000万"
    row.status, row.status_label = "at_risk", "At risk"
    row.period_text, row.spark = "2026-W48", "1.0,28.0 99.0,2.0"
    row.change_good = True
    row.anomalies = [{"label": "Unusually <high>", "period_text": "2026-W47"}]
    for key, value in kwargs.items():
        setattr(row, key, value)
    return row


ROWS = [
    _row(),
    _row(focus="monitoring", change_good=False, behind=True, spark="", anomalies=[]),
    _row(change_good=None, ahead=True, target_text="", period_text="",
         anomalies=[{"label": "a", "period_text": "b"}, {"label": "c", "period_text": "d"}]),
    _row(status="no_target", status_label="No target", latest=None, latest_period=None,
         value_text="—", change_text="—", focus="paused", behind=True, ahead=True),
    _row(latest=Decimal("1.5"), latest_period=date(2026, 11, 30), code='x"y'),
]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_card_html_is_what_the_card_template_printed(language):
    engine = Engine(loaders=[("django.template.loaders.locmem.Loader", {"card": OLD_CARD})],
                    libraries={"i18n": "django.templatetags.i18n"})
    with translation.override(language):
        expected = engine.from_string(OLD_TEMPLATE).render(Context({"rows": ROWS}))
        printed = "".join(render_card(row) for row in ROWS)
    assert printed == expected
    assert ("重点" in printed) == (language == "ja")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_monitoring_row_html_is_what_the_team_template_printed(language):
    engine = Engine(libraries={"i18n": "django.templatetags.i18n"})
    with translation.override(language):
        expected = engine.from_string(OLD_TABLE).render(Context({"rows": ROWS}))
        printed = "".join(render_table_row(row) for row in ROWS)
    assert printed == expected


@pytest.mark.parametrize("language", ["ja", "en"])
def test_dashboard_column_html_is_what_the_dashboard_template_printed(language):
    from metrics.models import Phase

    engine = Engine(loaders=[("django.template.loaders.locmem.Loader", {"card": OLD_CARD})],
                    libraries={"i18n": "django.templatetags.i18n"})
    with translation.override(language):
        phases = [{"phase": "revenue", "label": Phase("revenue").label, "rows": ROWS, "hidden": 1},
                  {"phase": "retention", "label": Phase("retention").label, "rows": [],
                   "hidden": 0},
                  {"phase": "acquisition", "label": "A & B", "rows": ROWS[:1], "hidden": 12}]
        expected = engine.from_string(
            OLD_TEMPLATE.split("{% for row in rows %}")[0] + OLD_PHASES.replace(
                "{% load i18n %}", "")).render(Context({"phases": phases, "cadence": "weekly"}))
        printed = "".join(render_phase(p, "weekly") for p in phases)
    assert printed == expected
    assert ("ほか12件" in printed) == (language == "ja")


def test_kpi_links_are_what_the_kpi_page_template_printed():
    from types import SimpleNamespace

    from metrics.kpi_presenter import kpi_links

    company = SimpleNamespace(slug="acme")
    kpis = [SimpleNamespace(code="t1_k0", name="売上 <A&B>"), SimpleNamespace(code="cvr", name="CVR")]
    engine = Engine(libraries={"i18n": "django.templatetags.i18n"})
    old = engine.from_string(
        "{% for k in kpis %}<a href=\"{% url 'kpi-detail' company.slug k.code %}\">{{ k.name }}"
        "</a>{% if not forloop.last %}, {% endif %}{% endfor %}")
    assert kpi_links(company, kpis) == old.render(Context({"kpis": kpis, "company": company}))
    assert kpi_links(company, []) == ""


def test_escape_is_what_the_template_engine_prints():
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from metrics.card_html import escape

    for value in ["", "plain", "売上 <総額>", "a&b<c>\"d'e", "&amp;", "x" * 50 + "'", 3, None,
                  mark_safe("<b>safe</b>")]:
        assert escape(value) == conditional_escape(value), value
