"""The North Star card printed by kgiapp.north_star_html is the HTML the template printed,
in ja and en, for a KGI with and without numbers, probabilities and a deadline passed."""
from datetime import date
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from kgiapp.dashboard import NorthStar
from kgiapp.north_star_html import north_star_section
from metrics.models import Kgi, Kpi

# templates/kgiapp/dashboard.html's North Star until north_star_html replaced it (kept
# verbatim as the reference the Python must print byte for byte).
OLD = """{% load i18n kgi %}{% with ns=north_star %}
<section class="card north-star" aria-labelledby="ns-title">
  {% if ns %}
  <div class="ns-main">
    <p class="eyebrow">{% translate "North Star · KGI" %}</p>
    <h2 id="ns-title" class="ns-name">{{ ns.kgi.name }}</h2>
    <p class="ns-value"><span data-testid="ns-current">{{ ns.current|unit_value_compact:ns.kgi.unit }}</span>
      <span class="ns-of">/ {{ ns.kgi.target|unit_value_compact:ns.kgi.unit }}</span></p>
    <p class="muted ns-meta">
      {% if ns.current_period %}{% blocktranslate with period=ns.current_period|date:"Y-m" %}Latest: {{ period }}{% endblocktranslate %} · {% endif %}
      <span data-testid="ns-target-period">{% blocktranslate with period=ns.kgi.deadline|date:"Y-m" %}Target for {{ period }}{% endblocktranslate %}</span> ·
      {% blocktranslate with deadline=ns.kgi.deadline|date:"Y-m-d" %}Deadline {{ deadline }}{% endblocktranslate %}{% if ns.days_left is not None and ns.days_left >= 0 %} · {% blocktranslate count days=ns.days_left %}{{ days }} day left{% plural %}{{ days }} days left{% endblocktranslate %}{% endif %}
    </p>
  </div>
  <div class="ns-progress">
    <div class="bar-row">
      <span class="bar-label">{% translate "Target reached" %}</span>
      <span class="bar" role="img" aria-label="{% translate 'Target reached' %} {{ ns.reached_pct|floatformat:0 }}%"><span class="bar-fill{% if ns.reached_pct is not None and ns.time_pct is not None and ns.reached_pct < ns.time_pct %} bar-behind{% endif %}" style="width: {{ ns.reached_pct|default:0|stringformat:'.1f' }}%"></span></span>
      <span class="bar-num">{% if ns.reached_pct is None %}—{% else %}{{ ns.reached_pct|floatformat:0 }}%{% endif %}</span>
    </div>
    <div class="bar-row">
      <span class="bar-label">{% translate "Time elapsed" %}</span>
      <span class="bar" role="img" aria-label="{% translate 'Time elapsed' %} {{ ns.time_pct|floatformat:0 }}%"><span class="bar-fill bar-time" style="width: {{ ns.time_pct|default:0|stringformat:'.1f' }}%"></span></span>
      <span class="bar-num">{% if ns.time_pct is None %}—{% else %}{{ ns.time_pct|floatformat:0 }}%{% endif %}</span>
    </div>
    <p class="muted small">{% translate "From the baseline" %} {{ ns.kgi.baseline|unit_value_compact:ns.kgi.unit }} {% translate "to the target" %}</p>
    {% if ns.at_target_early %}<p class="small" data-testid="ns-hold">{% blocktranslate with period=ns.kgi.deadline|date:"Y-m" %}At the target level already, but the target is {{ period }}’s value: it has to hold until then (see the attainment probability).{% endblocktranslate %}</p>{% endif %}
    {% if ns.series|length > 1 %}
    <figure class="ns-trend" data-testid="ns-value-trend">{% sparkline ns.series 160 40 "sparkline ns-spark" %}
      <figcaption class="muted small">{% blocktranslate with name=ns.kgi.kpi.name %}{{ name }}, recent periods{% endblocktranslate %}</figcaption></figure>
    {% endif %}
  </div>
  <div class="ns-side">
    <p class="eyebrow">{% translate "Attainment probability" %}</p>
    {% if ns.attainment is None %}
      <p class="ns-prob muted" data-testid="ns-attainment">{% translate "Not yet computed" %}</p>
      <p class="muted small">{% translate "Computed by the monthly reforecast." %}</p>
    {% else %}
      <p class="ns-prob" data-testid="ns-attainment">{{ ns.attainment|floatformat:0 }}%</p>
      {% if ns.probability_series|length > 1 %}
      <figure class="ns-trend" data-testid="ns-probability-trend">{% sparkline ns.probability_series 160 40 "sparkline ns-spark" %}
        <figcaption class="muted small">{% blocktranslate count months=ns.probability_series|length %}Probability over the last {{ months }} month{% plural %}Probability over the last {{ months }} months{% endblocktranslate %}</figcaption></figure>
      {% endif %}
    {% endif %}
  </div>
  {% else %}
  <div class="ns-main">
    <p class="eyebrow">{% translate "North Star · KGI" %}</p>
    <h2 id="ns-title">{% translate "No active KGI yet" %}</h2>
    <p class="muted">{% translate "Set one final goal for the company; everything on this page hangs from it." %}</p>
  </div>
  {% endif %}
</section>
{% endwith %}"""


def _ns(**changes):
    kpi = Kpi(code="revenue", name_ja="売上 <総額>", name_en="Revenue & more", unit="JPY")
    kgi = Kgi(name="ARR <500M> & NRR", kpi=kpi, unit="JPY", baseline=Decimal("61000000"),
              target=Decimal("83000000"), start_date=date(2026, 1, 1),
              deadline=date(2027, 3, 31))
    fields = dict(kgi=kgi, current=Decimal("78000000"), current_period=date(2026, 11, 1),
                  series=[Decimal(1), Decimal(3), Decimal(2)], probability_series=[40.0, 46.2],
                  reached_pct=77.27, time_pct=80.5, attainment=44.46, status="at_risk",
                  days_left=118)
    fields.update(changes)
    return NorthStar(**fields)


CASES = [
    _ns(),
    _ns(days_left=1, reached_pct=100.0, time_pct=10.0, at_target_early=True, attainment=0.4),
    _ns(current=None, current_period=None, series=[], reached_pct=None, attainment=None,
        probability_series=[], days_left=-3),
    _ns(time_pct=None, days_left=None, probability_series=[55.0], attainment=55.0,
        series=[Decimal(5)], reached_pct=0.0),
    _ns(reached_pct=12.5, time_pct=12.5, days_left=0, probability_series=[1.0, None, 3.5]),
    None,
]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_north_star_prints_what_the_template_printed(language):
    template = engines["django"].from_string(OLD)
    with translation.override(language):
        for ns in CASES:
            assert north_star_section(ns) == template.render({"north_star": ns}), ns
