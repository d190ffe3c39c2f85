"""The review page prints what Django would: form widgets as its templates do, URLs as reverse() does."""
import copy
from datetime import date

import pytest
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from reviews.forms import CloseForm, DecisionForm, NoteForm, SummaryForm, TaskForm
from tests.reviews.factories import focus_kpi

TODAY = date(2026, 11, 30)
NASTY = 'Fix <b>"the" & \'form\'</b>'


def _forms(world, kpi):
    team = world.team
    return [
        DecisionForm(team=team, today=TODAY),
        DecisionForm({"kpi": str(kpi.pk), "text": NASTY, "rationale": NASTY,
                      "keep_course": "on", "task_title": NASTY,
                      "task_owner": str(world.users["member"].pk), "task_due": "2026-12-04",
                      "request_key": "not-a-uuid"}, team=team, today=TODAY),
        DecisionForm({"kpi": "999999", "task_owner": "x", "task_due": "tomorrow"},
                     team=team, today=TODAY),
        TaskForm(team=team, today=TODAY),
        TaskForm({"title": NASTY, "owner": "", "due_date": "2026-13-40"}, team=team,
                 today=TODAY),
        NoteForm(), NoteForm({"kind": "nope", "text": NASTY}),
        SummaryForm(initial={"summary": NASTY}), SummaryForm({"summary": NASTY}),
        CloseForm(initial={"no_decision_reason": NASTY}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_field_and_error_list_prints_as_django_templates_print_it(world, language):
    kpi = focus_kpi(company=world.company, team=world.team, name_ja="売上<&>",
                    name_en='Sales "net"')
    world.users["member"].first_name = "<Ann>"
    world.users["member"].save()
    django = DjangoTemplates()
    compared = 0
    with translation.override(language):
        for form in _forms(world, kpi):
            if form.is_bound and not form.is_valid():  # errors with markup in them too
                form.add_error(None, NASTY)
                form.add_error(next(iter(form.fields)), NASTY)
            for field in form:
                ours = field.as_widget()
                form.renderer, saved = django, form.renderer
                theirs = field.as_widget()
                form.renderer = saved
                assert ours == theirs, (type(form).__name__, field.name)
                compared += 1
            for errors in [*(form[name].errors for name in form.fields),
                           form.non_field_errors()]:
                theirs = copy.copy(errors)
                theirs.renderer = django
                assert str(errors) == str(theirs), (type(form).__name__, list(errors))
    assert compared > 20


@pytest.mark.django_db
def test_the_review_pages_urls_built_from_one_reverse_are_the_patterns_urls(world):
    from django.urls import reverse

    from reviews.views.review import _review_urls
    from tests.reviews.factories import review_for

    review = review_for(world.team)
    urls = _review_urls(world.company, review)
    args = [world.company.slug, world.team.slug, review.week_label]
    for key, name in (("note_add", "review-note-add"), ("summary", "review-summary"),
                      ("decision_add", "review-decision-add"), ("close", "review-close"),
                      ("reopen", "review-reopen")):
        assert urls[key] == reverse(name, args=args)
    assert urls["reviews"] == reverse("review-history", args=args[:2])
    assert urls["reviews"] + "2026-W01/" == reverse("review-detail", args=[*args[:2], "2026-W01"])
    for suffix, name in (("decisions/7/", "review-decision-edit"),
                         ("decisions/7/delete/", "review-decision-delete"),
                         ("decisions/7/tasks/", "review-task-add"),
                         ("tasks/7/delete/", "review-task-delete")):
        assert urls["week"] + suffix == reverse(name, args=[*args, 7])


# The numbers table's row as the template printed it before reviews/numbers_html.py.
ROW_TEMPLATE = """{% load i18n kgi %}{% for row in numbers %}
      <tr>
        <td>{{ row.name }}</td>
        <td class="num">{{ row.value|unit_value:row.unit }}{% if row.period_text %}<br><small class="{% if row.last_week_missing %}warn-text{% else %}muted{% endif %}">{{ row.period_text }}{% if row.last_week_missing %} · {% translate "last week's number is missing" %}{% endif %}</small>{% elif row.last_week_missing %}<br><small class="warn-text">{% translate "last week's number is missing" %}</small>{% endif %}{% if row.corrected_to %}<br><small class="warn-text" title="{% translate 'corrected since the review closed' %}">{% translate "corrected since:" %} {{ row.corrected_to|unit_value:row.unit }}</small>{% endif %}</td>
        <td class="num {% if row.change_good is True %}good-text{% elif row.change_good is False %}bad-text{% endif %}">{% if row.change_pct is not None %}{% if row.change_pct > 0 %}▲{% elif row.change_pct < 0 %}▼{% endif %} {{ row.change_pct|change:"%" }}{% else %}—{% endif %}</td>
        <td class="num">{% if row.vs_target_pct is not None %}<span class="badge {% if row.on_target %}badge-good{% else %}badge-bad{% endif %}">{{ row.vs_target_pct|change:"%" }}</span>{% else %}<span class="muted">—</span>{% endif %}{% if row.target %}<br><small class="muted" data-testid="review-target-{{ row.code }}">{% translate "target" %} {{ row.target|unit_value:row.unit }}</small>{% endif %}</td>
        <td>{% sparkline row.spark %}</td>
        <td>{% if row.anomaly %}<span class="badge badge-warn">{{ row.anomaly }}</span>{% endif %}</td>
      </tr>
    {% endfor %}"""


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_numbers_rows_print_as_the_template_printed_them(language):
    from django.template import engines

    from reviews.numbers_html import numbers_html

    base = {"name": NASTY, "code": "cvr<1>", "unit": "percent", "value": "2.5000",
            "previous": "2.4000", "target": "3.0000", "change_pct": 4.2, "vs_target_pct": -16.7,
            "change_good": True, "on_target": False, "spark": [1.0, 2.5, 2.0],
            "anomaly": "", "period_text": "2026-W48", "last_week_missing": False}
    rows = [base,
            {**base, "unit": "JPY", "value": "1234567", "target": None, "change_pct": -3.0,
             "change_good": False, "vs_target_pct": None, "spark": [], "anomaly": "spike <x>",
             "last_week_missing": True},
            {**base, "value": None, "change_pct": None, "change_good": None, "period_text": "",
             "last_week_missing": True, "on_target": True, "vs_target_pct": 0.0,
             "corrected_to": "2.7000", "spark": [3.0]},
            {**base, "change_pct": 0.0, "change_good": None, "unit": "count", "value": "-12",
             "target": "0", "period_text": "", "last_week_missing": False}]
    template = engines["django"].from_string(ROW_TEMPLATE)
    with translation.override(language):
        assert str(numbers_html(rows)) == template.render({"numbers": rows})
