"""Changing recorded decisions and their tasks while the review is open (htmx: the decide block).

A decision may be reworded or deleted, gain another task, or lose one, until the review
closes; each change is logged on the review.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core.calendar import team_today
from reviews import services
from reviews.forms import DecisionEditForm, TaskForm
from reviews.models import Decision, Task
from reviews.views.review import _add_errors, _partial_or_redirect, _review
from teams.idempotency import once_per_form
from teams.tenancy import company_view, require


def _managed_review(request, team, week):
    review = _review(request, team, week)
    require(request, "manage_team", review.team)
    return review


def _answer(request, review, form=None, decision=None, error=None):
    if error is not None and not request.htmx:
        messages.error(request, error)
    extra = {"task_form": form, "task_form_decision": decision.pk} if form is not None else {}
    if error is not None:
        extra["decision_error"] = error
    return _partial_or_redirect(request, review, "decide", **extra)


@require_POST
@company_view("manage_team")
@once_per_form
def review_task_add(request, team, week, decision_id):
    review = _managed_review(request, team, week)
    decision = get_object_or_404(Decision, review=review, pk=decision_id)
    form = TaskForm(request.POST, team=review.team, today=team_today(review.team))
    if form.is_valid():
        try:
            services.task_add(decision=decision, membership=request.membership,
                              **form.cleaned_data)
            return _answer(request, review)
        except ValidationError as exc:
            _add_errors(form, exc)
    return _answer(request, review, form=form, decision=decision)


@require_POST
@company_view("manage_team")
def review_decision_edit(request, team, week, decision_id):
    review = _managed_review(request, team, week)
    decision = get_object_or_404(Decision, review=review, pk=decision_id)
    form = DecisionEditForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.decision_update(decision=decision, membership=request.membership,
                                     **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    return _answer(request, review, error=error)


def _delete(request, team, week, model, pk, remove):
    """Delete one decision or task of the review (``remove`` is the service), answer the block."""
    review = _managed_review(request, team, week)
    obj = get_object_or_404(model, review=review, pk=pk)
    error = None
    try:
        remove(obj, membership=request.membership)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _answer(request, review, error=error)


@require_POST
@company_view("manage_team")
def review_decision_delete(request, team, week, decision_id):
    return _delete(request, team, week, Decision, decision_id,
                   lambda decision, **kw: services.decision_delete(decision=decision, **kw))


@require_POST
@company_view("manage_team")
def review_task_delete(request, team, week, task_id):
    return _delete(request, team, week, Task, task_id,
                   lambda task, **kw: services.task_delete(task=task, **kw))
