"""OKR pages: a team's quarter (objectives, KRs, check-ins), the quarterly review and the
company-wide alignment map. Writes answer htmx with the refreshed board partial."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.htmx import render_page
from metrics.models import Kpi
from okrs import review as okr_review
from okrs import selectors as okr_selectors
from okrs import services as okr_services
from okrs.forms import CheckInForm, KeyResultForm, ObjectiveForm
from okrs.models import KeyResult, Objective
from okrs.scale import quarter_hints
from teams.empty import render_no_team
from teams.idempotency import once_per_form
from teams.permissions import can
from teams.tenancy import company_view, team_view

BOARD = "okrs/okr_list.html"


def _quarter(request, source=None):
    label = (source or request.GET).get("quarter")
    return okr_selectors.quarter_from_param(request.company, label)


def _board_context(request, team, quarter, errors=None, forms=None):
    rows = okr_selectors.okr_rows(request.company, quarter, team=team)
    company = request.company
    errors, forms = errors or {}, forms or {}
    can_manage = can(request.membership, "manage_team", team=team)
    kpis = list(Kpi.objects.filter(company=company).order_by("code")) if can_manage else []
    hints = quarter_hints(company, quarter, kpis, timezone.localdate()) if kpis else {}

    def typed(key):  # what the user typed into a refused form, shown back as typed
        form = forms.get(key)
        return form.data if form is not None else None

    for row in rows:
        row.errors = errors.get(f"objective-{row.objective.pk}", [])
        row.kr_errors = errors.get(f"kr-new-{row.objective.pk}", [])
        row.kr_typed = typed(f"kr-new-{row.objective.pk}")
        chosen = (row.kr_typed or {}).get("kpi", "")
        row.kr_hint = hints.get(int(chosen)) if chosen.isdigit() else None
        for r in row.krs:
            r.errors = errors.get(f"kr-{r.kr.pk}", []) + errors.get(f"checkin-{r.kr.pk}", [])
            r.typed = typed(f"kr-{r.kr.pk}")
            chosen = (r.typed or {}).get("kpi", "")
            r.hint = (hints.get(int(chosen)) if chosen.isdigit() else None) if r.typed \
                else hints.get(r.kr.kpi_id)
    return {
        "team": team,
        "quarter": quarter,
        "previous_quarter": quarter.previous(),
        "next_quarter": quarter.next(),
        "is_current": quarter == okr_selectors.current_quarter(company),
        "rows": rows,
        "can_manage": can_manage,
        "kpi_choices": kpis,
        "can_contribute": can(request.membership, "contribute", team=team),
        "objective_form": ObjectiveForm(company=company),
        "kr_form": KeyResultForm(company=company),
        "checkin_form": CheckInForm(),
        "errors": errors,
        "forms": forms,
        "contributing": sum(1 for r in rows if r.contributes),
    }


def _board_url(request, team, quarter):
    return (reverse("okr-list", args=[request.company.slug, team.slug])
            + f"?quarter={quarter.code}")


def _answer(request, team, quarter, errors=None, forms=None, done=""):
    """htmx: the refreshed board (errors next to their form); otherwise redirect back."""
    if request.htmx:
        return render_page(request, BOARD, _board_context(request, team, quarter, errors, forms),
                           partial="board")
    if errors:
        for problems in errors.values():
            for problem in problems:
                messages.error(request, problem)
    elif done:
        messages.success(request, done)
    return redirect(_board_url(request, team, quarter))


def _messages_of(exc_or_form):
    if isinstance(exc_or_form, ValidationError):
        return exc_or_form.messages
    return [f"{exc_or_form.fields[name].label if name in exc_or_form.fields else ''}: {e}".lstrip(": ")
            for name, errs in exc_or_form.errors.items() for e in errs]


def _submit(request, team, quarter, form, key, service, done, /, **arguments):
    """Validate ``form`` and call ``service(**arguments, **form.service_fields())``. The
    form's or the service's refusal is shown next to the form under ``key``; success
    answers ``done``."""
    if not form.is_valid():
        return _answer(request, team, quarter, {key: _messages_of(form)}, {key: form})
    try:
        service(**arguments, **form.service_fields())
    except ValidationError as exc:
        return _answer(request, team, quarter, {key: _messages_of(exc)}, {key: form})
    return _answer(request, team, quarter, done=done)


def _objective(request, team, objective_id):
    return get_object_or_404(Objective, pk=objective_id, team=team, company=request.company)


def _key_result(request, team, kr_id):
    return get_object_or_404(KeyResult.objects.select_related("objective", "kpi"), pk=kr_id,
                             objective__team=team, objective__company=request.company)


@company_view("view")
def okr_home(request):
    """The nav's OKR link: the user's own team's OKRs (first team as a fallback)."""
    team = okr_selectors.home_team(request.company, request.user)
    if team is None:
        return render_no_team(
            request, title=_("OKRs"),
            message=_("No team yet: objectives and key results belong to a team. Create a "
                      "team first."))
    return redirect("okr-list", request.company.slug, team.slug)


@team_view("view")
def okr_list(request, team):
    quarter = _quarter(request)
    return render_page(request, BOARD, _board_context(request, team, quarter), partial="board")


@require_POST
@team_view("manage_team")
@once_per_form
def objective_create(request, team):
    quarter = _quarter(request, request.POST)
    return _submit(request, team, quarter, ObjectiveForm(request.POST, company=request.company),
                   "objective_new", okr_services.objective_create, _("Objective created."),
                   team=team, quarter=quarter)


@require_POST
@team_view("manage_team")
def objective_edit(request, team, objective_id):
    objective = _objective(request, team, objective_id)
    form = ObjectiveForm(request.POST, company=request.company, objective=objective)
    return _submit(request, team, _quarter(request, {"quarter": objective.quarter}), form,
                   f"objective-{objective.pk}", okr_services.objective_update,
                   _("Objective saved."), objective=objective)


@require_POST
@team_view("manage_team")
def objective_copy(request, team, objective_id):
    objective = _objective(request, team, objective_id)
    copy = okr_services.objective_copy_to_next_quarter(objective=objective,
                                                       company=request.company)
    messages.success(request, _("Copied to %(quarter)s.") % {"quarter": copy.quarter})
    return redirect(_board_url(request, team, _quarter(request, {"quarter": copy.quarter})))


def _save_kr(request, team, objective, key_result=None):
    return _submit(request, team, _quarter(request, {"quarter": objective.quarter}),
                   KeyResultForm(request.POST, company=request.company),
                   f"kr-{key_result.pk}" if key_result else f"kr-new-{objective.pk}",
                   okr_services.key_result_save, _("Key result saved."),
                   objective=objective, key_result=key_result)


@require_POST
@team_view("manage_team")
@once_per_form
def key_result_create(request, team, objective_id):
    return _save_kr(request, team, _objective(request, team, objective_id))


@require_POST
@team_view("manage_team")
def key_result_edit(request, team, kr_id):
    kr = _key_result(request, team, kr_id)
    return _save_kr(request, team, kr.objective, kr)


@require_POST
@team_view("manage_team")
def key_result_delete(request, team, kr_id):
    kr = _key_result(request, team, kr_id)
    quarter = _quarter(request, {"quarter": kr.objective.quarter})
    okr_services.key_result_delete(key_result=kr)
    return _answer(request, team, quarter, done=_("Key result deleted."))


@require_POST
@team_view("contribute")
@once_per_form
def checkin_create(request, team, kr_id):
    kr = _key_result(request, team, kr_id)
    return _submit(request, team, _quarter(request, {"quarter": kr.objective.quarter}),
                   CheckInForm(request.POST), f"checkin-{kr.pk}", okr_services.checkin_create,
                   _("Check-in saved."), key_result=kr, author=request.user)


# --- quarterly review -----------------------------------------------------------------


def _review_context(request, team, quarter, errors=None, posted=None):
    tree = okr_selectors.kgi_tree(request.company)
    rows = okr_selectors.okr_rows(request.company, quarter, team=team, tree=tree)
    following = quarter.next()
    return {
        "team": team, "quarter": quarter, "next_quarter": following,
        "previous_quarter": quarter.previous(),
        "rows": rows,
        "proposals": okr_review.threshold_proposals(request.company, team, quarter),
        "consistency": okr_review.kgi_consistency(request.company, following, tree=tree),
        "can_manage": can(request.membership, "manage_team", team=team),
        "errors": errors or [],
        "posted": posted or {},
    }


@team_view("view")
def quarter_review(request, team):
    quarter = _quarter(request)
    return render_page(request, "okrs/okr_review.html", _review_context(request, team, quarter))


@require_POST
@team_view("manage_team")
def quarter_review_apply(request, team):
    quarter = _quarter(request, request.POST)
    scores = {k.removeprefix("score-"): v for k, v in request.POST.items()
              if k.startswith("score-") and v.strip()}
    thresholds = {k.removeprefix("threshold-"): v for k, v in request.POST.items()
                  if k.startswith("threshold-") and v.strip()}
    try:
        if not all(k.isdigit() for k in [*scores, *thresholds]):
            raise ValidationError(_("Unknown row in the form."))
        result = okr_services.quarter_review_apply(team=team, quarter=quarter, scores=scores,
                                                   thresholds=thresholds, user=request.user)
    except ValidationError as exc:
        context = _review_context(request, team, quarter, errors=exc.messages,
                                  posted=dict(request.POST.items()))
        return render_page(request, "okrs/okr_review.html", context, status=400)
    messages.success(request, _(
        "Applied: %(scores)s grades and %(targets)s thresholds for %(quarter)s. "
        "Earlier thresholds are kept as history.") % {
        "scores": result["scored"], "targets": len(result["targets"]),
        "quarter": quarter.next().code})
    return redirect(reverse("okr-quarter-review", args=[request.company.slug, team.slug])
                    + f"?quarter={quarter.code}&applied=1#consistency")


# --- alignment map --------------------------------------------------------------------


@company_view("view")
def alignment_map(request):
    quarter = _quarter(request)
    context = okr_selectors.alignment_map(request.company, quarter)
    context.update({"quarter": quarter, "previous_quarter": quarter.previous(),
                    "next_quarter": quarter.next()})
    return render_page(request, "okrs/alignment_map.html", context)


@team_view("view")
def kr_kpi_hint(request, team):
    """GET ?kpi=&quarter=: the KPI's value so far in the quarter and its scale, for the KR
    form (htmx swaps it under the KPI select)."""
    quarter = _quarter(request)
    kpi_id = request.GET.get("kpi", "")
    kpi = (Kpi.objects.filter(company=request.company, pk=int(kpi_id)).first()
           if kpi_id.isdigit() else None)
    hint = (quarter_hints(request.company, quarter, [kpi], timezone.localdate())[kpi.pk]
            if kpi else None)
    return render(request, "okrs/_kr_hint.html", {"hint": hint})
