"""The dashboard's team options, first-run path and checklist printed by kgiapp.dashboard_html
are the HTML the template printed, in ja and en."""
import pytest
from django.template import engines
from django.utils import translation

from kgiapp.checklist import Item, checklist
from kgiapp.dashboard import TeamRef
from kgiapp.dashboard_html import checklist_section, first_run_section, team_options
from kgiapp.first_run import Step, first_run_steps
from teams.models import Company

# templates/kgiapp/dashboard.html's parts until dashboard_html replaced them (kept verbatim
# as the reference the Python must print byte for byte).
OLD_FIRST_RUN = """{% load i18n %}{% if first_run %}
<section class="card first-run" aria-labelledby="first-run-title" data-testid="first-run">
  <h2 id="first-run-title">{% translate "Getting started" %}</h2>
  <p class="muted">{% translate "Six steps from an empty company to the first attainment probability. Each one shows ✓ once the data is there." %}</p>
  <ol class="checklist-items">
    {% for step in first_run %}
    <li class="{% if step.done %}step-done{% else %}step-todo{% endif %}" data-step="{{ step.number }}">
      <span class="check-mark" aria-hidden="true">{% if step.done %}✓{% else %}{{ step.number }}{% endif %}</span>
      <span class="visually-hidden">{% if step.done %}{% translate "done" %}{% else %}{% translate "to do" %}{% endif %}</span>
      <span class="check-title">{{ step.title }}</span>
      {% if not step.done %}<span class="muted small check-detail">{{ step.detail }}</span>
      <a class="check-fix" href="{{ step.url }}">{{ step.action }} →</a>
      {% if step.extra_url %}<a class="check-fix" href="{{ step.extra_url }}" data-testid="step-extra-{{ step.number }}">{{ step.extra_action }} ↓</a>{% endif %}
      {% if step.needs %}<ul class="step-needs" data-testid="step-needs">{% for text, fix_url, label in step.needs %}<li>{{ text }} · <a href="{{ fix_url }}">{{ label }}</a></li>{% endfor %}</ul>{% endif %}{% endif %}
    </li>
    {% endfor %}
  </ol>
</section>
{% endif %}"""
OLD_CHECKLIST = """{% load i18n %}{% if checklist %}
<details class="card checklist"{% for item in checklist %}{% if not item.ok %} open{% endif %}{% endfor %}>
  <summary><h2>{% translate "3-minute checklist" %}</h2></summary>
  <ol class="checklist-items">
    {% for item in checklist %}
    <li class="{% if item.ok %}ok{% else %}ng{% endif %}" data-item="{{ item.number }}">
      <span class="check-mark" aria-hidden="true">{% if item.ok %}✓{% else %}✗{% endif %}</span>
      <span class="visually-hidden">{% if item.ok %}{% translate "done" %}{% else %}{% translate "to do" %}{% endif %}</span>
      <span class="check-title">{{ item.title }}</span>
      {% if item.detail %}<span class="muted small check-detail">{{ item.detail }}</span>{% endif %}
      {% if not item.ok and item.fix_url %}<a class="check-fix" href="{{ item.fix_url }}">{{ item.fix_label }} →</a>{% endif %}
    </li>
    {% endfor %}
  </ol>
</details>
{% endif %}"""
OLD_OPTIONS = """{% for t in teams %}<option value="{{ t.slug }}"{% if team and t.pk == team.pk %} selected{% endif %}>{{ t.name }}</option>{% endfor %}"""


def _old(source, **context):
    return engines["django"].from_string(source).render(context)


def _steps():
    return [
        Step(1, "Teams <first>", True, "", "/a/settings/#teams", "Create"),
        Step(2, "KGI & goal", False, "Say \'why\' & <how>", "/a/kgi/?x=1&y=2", "Set it"),
        Step(4, "Numbers", False, "Enter them", "/a/numbers/import/", "Import",
             extra_url="/a/numbers/template/?a=1&b=2", extra_action="Template <xlsx>"),
        Step(6, "Reforecast", False, "Not yet", "/a/reforecasts/", "Run",
             needs=[("KPI <a> needs 3 months", "/a/kpis/a/?x&y", "Enter"),
                    ("KPI b", "/a/kpis/b/", "Fix & go")]),
    ]


def _items():
    return [Item(1, "One SMART KGI", True, None, "", None),
            Item(2, "KPIs <leading>", False, "3 of 5 & more", "/a/tree/?a=1&b=2", "Fix <it>"),
            Item(3, "Formula", False, "", "", "Nothing"),
            Item(4, "North Star", True, "ok & done", "/a/", "Open")]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_first_run_and_checklist_print_what_the_template_printed(language):
    with translation.override(language):
        steps, items = _steps(), _items()
        assert first_run_section(steps) == _old(OLD_FIRST_RUN, first_run=steps)[1:-1]
        assert checklist_section(items) == _old(OLD_CHECKLIST, checklist=items)[1:-1]
        assert checklist_section(items).startswith('<details class="card checklist" open open>')
        done = [Item(1, "A", True, "d", "", None)]
        assert checklist_section(done) == _old(OLD_CHECKLIST, checklist=done)[1:-1]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_real_company_s_path_and_checklist_print_what_the_template_printed(world, language):
    empty = Company.objects.create(slug="empty-co", name="Empty")
    with translation.override(language):
        for company in (world.company, empty):
            steps = first_run_steps(company)
            assert first_run_section(steps) == _old(OLD_FIRST_RUN, first_run=steps)[1:-1]
            items = checklist(company)
            assert checklist_section(items) == _old(OLD_CHECKLIST, checklist=items)[1:-1]


def test_team_options_print_what_the_template_printed():
    teams = [TeamRef(1, "sales", "Sales & <co>"), TeamRef(2, "cs", "CS"), TeamRef(3, "x", "X")]
    for team in (None, teams[1]):
        assert team_options(teams, team) == _old(OLD_OPTIONS, teams=teams, team=team)
    assert team_options([], None) == ""
