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
