"""The monthly reforecast pages: the executive report, run now with a progress bar, what-if."""
from contextlib import contextmanager

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.calendar import month_start, parse_month
from core.htmx import render_page
from core.queue import send_on_commit
from engine.formula import FormulaError
from metrics.analytics import OutlookUnavailable
from metrics.analytics.readiness import readiness_needs, reforecast_readiness
from reviews.forms import ScenarioForm, WhatIfForm
from reviews.reforecast import tasks
from reviews.reforecast.presenter import reforecast_report
from reviews.reforecast.selectors import (
    company_months,
    reforecast_what_if_inputs,
    snapshot,
    what_if_snapshot,
)
from reviews.reforecast.services import (
    ScenarioRefused,
    reforecast_request,
    scenario_evaluate,
    scenario_save,
)
from reviews.reforecast.what_if_presenter import (
    scenarios_view,
    what_if_leaf_names,
    what_if_view,
)
from reviews.reforecast.wording import month_label
from teams.tenancy import company_view

TEMPLATE = "reviews/reforecast_detail.html"
EMPTY_TEMPLATE = "reviews/reforecast_empty.html"
REFUSALS = {
    "name": lambda: _("Give the scenario a name."),
    "duplicate": lambda: _("This month already has a scenario with that name."),
}


def _month(text):
    month = parse_month(text)
    if month is None:
        raise Http404
    return month


def _detail_url(request, row):
    return reverse("reforecast-detail", args=[request.company.slug, row.month_key])


def _this_month(months):
    """This month's row (or None) and what the page should say about it."""
    today = month_start(timezone.localdate())
    row = next((m for m in months if m.month == today), None)
    return {"month": today, "label": month_label(today), "row": row}


def _empty(request, months):
    """No snapshot yet: what the reforecast is for, and whether the numbers allow one now
    (if not, which KPIs lack how much history, each linked to where it is fixed)."""
    this_month = _this_month(months)
    readiness = reforecast_readiness(request.company, as_of=this_month["month"])
    return render_page(request, EMPTY_TEMPLATE, {
        "this_month": this_month, "readiness": readiness,
        "needs": readiness_needs(request.company.slug, readiness.as_facts())})


def _what_if_row(request, month):
    """A done snapshot with only what a what-if reads (its compact inputs), else 404."""
    row = what_if_snapshot(request.company, _month(month))
    if row is None or not row.is_done:
        raise Http404
    return row


def _page(request, row, months, *, shifts=None, status=200, **extra):
    """The report of a done snapshot, or the progress / failure of an unfinished one."""
    report = reforecast_report(row, months=months, shifts=shifts,
                               language=request.company.language) if row.is_done else None
    context = {
        "row": row, "report": report, "month_label": month_label(row.month),
        "this_month": _this_month(months), "months": [m for m in months if m.is_done],
        "scenarios": scenarios_view(row) if row.is_done else {},
        **extra,
    }
    return render_page(request, TEMPLATE, context, status=status)


@company_view("view")
def reforecast_latest(request):
    """The latest finished report; else this month's progress; else what the page is for."""
    months = company_months(request.company)
    done = [m for m in months if m.is_done]
    chosen = done[-1] if done else (months[-1] if months else None)
    if chosen is None:
        return _empty(request, months)
    return _page(request, snapshot(request.company, chosen.month), months)


@company_view("view")
def reforecast_detail(request, month):
    month = _month(month)
    months = company_months(request.company)
    row = snapshot(request.company, month)
    if row is None:
        this_month = _this_month(months)
        if month != this_month["month"]:
            raise Http404
        return _empty(request, months)
    return _page(request, row, months)


@company_view("view")
def reforecast_progress(request, month):
    """The progress bar, polled every second; a finished snapshot sends the browser to it."""
    row = snapshot(request.company, _month(month))
    if row is None:
        raise Http404
    url = _detail_url(request, row)
    if row.is_done:
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if not request.htmx:
        return redirect(url)
    return render_page(request, TEMPLATE, {"row": row}, partial="progress")


@require_POST
@company_view("admin")
def reforecast_run(request):
    """Queue this month's snapshot (or retry a failed one); a done month stays as it is."""
    month = None
    if request.POST.get("month"):
        # A month other than this one only to retry its failed (or unfinished) snapshot.
        month = parse_month(request.POST["month"])
        if month is None or (month != month_start(timezone.localdate())
                             and snapshot(request.company, month) is None):
            messages.error(request, _("That month cannot be computed."))
            return redirect("reforecast-latest", request.company.slug)
    row, queued = reforecast_request(company=request.company, month=month, user=request.user)
    if queued:
        # With the broker down the row stays pending (logged); pressing again resends.
        send_on_commit(tasks.reforecast_run, row.pk)
    elif row.is_done:
        messages.info(request, _("This month's reforecast is already done. Snapshots are "
                                 "final, so it cannot be computed again."))
    url = _detail_url(request, row)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@contextmanager
def _simulation_refusals(errors):
    """Turn the simulation's refusals (no KGI, a tree changed since the snapshot) into text."""
    try:
        yield
    except OutlookUnavailable as exc:
        errors.append(str(exc))
    except FormulaError:
        errors.append(_("The KPI tree changed after this snapshot, so its what-if cannot "
                        "be computed."))


@require_POST
@company_view("view")
def reforecast_what_if(request, month):
    """The probability and P50 with the sliders' moves (everyone who can read may play)."""
    row = _what_if_row(request, month)
    errors, result, shifts, inputs = [], None, {}, None
    with _simulation_refusals(errors):
        inputs = reforecast_what_if_inputs(row)
    if inputs is not None:
        form = WhatIfForm(request.POST, leaves=what_if_leaf_names(inputs))
        if form.is_valid():
            shifts = form.shifts()
            with _simulation_refusals(errors):
                probability, p50 = scenario_evaluate(reforecast=row, shifts_pct=shifts,
                                                     inputs=inputs)
                result = what_if_view(row, inputs, shifts, probability, p50)
        else:
            errors = form.error_messages()
    # The slider positions this result is for: the page asks again when they are not the
    # sliders' final positions (a reply overtaken by later key presses).
    state = {f"shift-{code}": int(round(value)) for code, value in shifts.items() if value}
    extra = {"what_if": result, "what_if_errors": errors, "what_if_state": state}
    if request.htmx:
        return render_page(request, TEMPLATE, {"row": row, **extra}, partial="what_if_result")
    return _page(request, snapshot(request.company, row.month), company_months(request.company),
                 shifts=shifts, status=400 if errors else 200, **extra)


@require_POST
@company_view("plan")
def reforecast_scenario_save(request, month):
    """Keep the sliders' moves as a named scenario next to the baseline."""
    row = _what_if_row(request, month)
    errors, saved, inputs = [], "", None
    with _simulation_refusals(errors):
        inputs = reforecast_what_if_inputs(row)
    if inputs is not None:
        form = ScenarioForm(request.POST, leaves=what_if_leaf_names(inputs))
        if form.is_valid():
            with _simulation_refusals(errors):
                try:
                    scenario = scenario_save(reforecast=row, name=form.cleaned_data["name"],
                                             shifts_pct=form.shifts(), user=request.user,
                                             inputs=inputs)
                    saved = scenario.name
                except ScenarioRefused as exc:
                    errors.append(REFUSALS.get(exc.args[0], REFUSALS["name"])())
        else:
            errors = form.error_messages()
    if request.htmx:
        return render_page(request, TEMPLATE, {
            "row": row, "scenarios": scenarios_view(row, inputs) if inputs else {},
            "scenario_errors": errors, "scenario_saved": saved}, partial="scenarios")
    for error in errors:
        messages.error(request, error)
    if saved:
        messages.success(request, _("Scenario “%(name)s” saved.") % {"name": saved})
    return redirect(_detail_url(request, row) + "#scenarios")
