"""The weekly entry grid: a team's KPIs × recent periods, each cell saved with htmx."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.calendar import period_start
from core.htmx import render_page
from metrics.grid import grid_cell, last_periods, target_row, team_grid
from metrics.imports import percent_typical
from metrics.measurements import MeasurementError, measurement_upsert
from metrics.models import Kpi, Source
from metrics.targets import TargetRefused, can_set_targets, load_plan, target_set
from spreadsheets import ValueProblem, check_range, parse_number, to_unit
from spreadsheets.dates import PERIOD_MAX, PERIOD_MIN
from teams.models import Team
from teams.permissions import can
from teams.tenancy import company_view, get_team, require

TEMPLATE = "metrics/numbers_grid.html"


@company_view("view")
def numbers_home(request):
    """Where numbers come in: each team's grid, import, export, data quality, campaigns."""
    teams = Team.objects.filter(company=request.company).annotate(kpi_count=Count("kpis"))
    return render_page(request, "metrics/numbers_home.html", {
        "teams": teams,
        "kpis": Kpi.objects.filter(company=request.company).order_by("code"),
    })


@company_view("view")
def numbers_grid(request, team):
    team = get_team(request, team)
    return render_page(request, TEMPLATE, {
        "team": team,
        "sections": team_grid(request.company, team),
        "can_edit": can(request.membership, "contribute", team=team),
        "can_plan": can(request.membership, "plan")
        or can(request.membership, "manage_team", team=team),
    })


@require_POST
@company_view("view")
def numbers_target(request, team):
    """POST kpi, period (any day of the month), target: set that month's target (history
    kept, metrics.targets) and answer the KPI's target row, with the reason when refused."""
    team = get_team(request, team)
    kpi_id = request.POST.get("kpi", "")
    kpi = get_object_or_404(Kpi.objects.select_related("team", "company"),
                            company=request.company, team=team,
                            pk=int(kpi_id) if kpi_id.isdigit() else 0)
    if not can_set_targets(request.membership, kpi):
        raise PermissionDenied
    try:
        month = date.fromisoformat(request.POST.get("period", "")).replace(day=1)
    except (ValueError, OverflowError):
        raise Http404 from None
    if not PERIOD_MIN <= month <= PERIOD_MAX:
        raise Http404
    raw = request.POST.get("target", "").strip()
    error = "" if raw else _("Enter a number.")
    if raw:
        try:
            target_set(kpi=kpi, period=month, value=raw, user=request.user,
                       reason=_("Numbers grid"))
        except TargetRefused as refused:
            error = str(refused.message)
    row = target_row(kpi, last_periods(kpi.cadence, timezone.localdate()),
                     load_plan(request.company, [kpi.pk]), month=month)
    for tcell in [*row["cells"], row["month"]]:
        if tcell is not None and tcell.editable and tcell.period == month:
            tcell.error, tcell.raw, tcell.saved = error, raw if error else "", not error
    return render_page(request, TEMPLATE, {"row": {"kpi": kpi, "targets": row}, "team": team,
                                           "can_plan": True}, partial="target_row")


def _parse_cell(raw, kpi):
    """The value in the KPI's unit, or the reason it can't be stored."""
    try:
        parsed = parse_number(raw)
    except ValueProblem as problem:
        return None, str(problem.message)
    problems = check_range(parsed.value, kpi.unit, parsed.percent, typical=percent_typical(kpi),
                           allow_negative=kpi.allows_negative)
    if problems:
        return None, str(problems[0].message)
    return to_unit(parsed, kpi.unit), ""


@require_http_methods(["GET", "POST"])
@company_view("view")
def numbers_cell(request, team):
    """GET: one cell as it is now (computed cells refresh after a save); POST: save it."""
    team = get_team(request, team)
    params = request.POST if request.method == "POST" else request.GET
    kpi_id = params.get("kpi", "")
    kpi = get_object_or_404(Kpi, company=request.company, team=team,
                            pk=int(kpi_id) if kpi_id.isdigit() else 0)
    try:
        period = period_start(date.fromisoformat(params.get("period", "")), kpi.cadence)
    except (ValueError, OverflowError):
        raise Http404 from None
    if not PERIOD_MIN <= period <= PERIOD_MAX:
        raise Http404
    can_edit = can(request.membership, "contribute", team=team)
    cell = grid_cell(request.company, kpi, period)
    if request.method == "GET":
        return render_page(request, TEMPLATE, {"cell": cell, "team": team,
                                               "can_edit": can_edit}, partial="cell")
    require(request, "contribute", team)
    raw = request.POST.get("value", "").strip()
    if kpi.is_computed:
        cell.error = _("Computed from its formula; enter its inputs instead.")
    elif not raw:
        cell.error, cell.raw = _("Enter a number."), raw
    else:
        value, error = _parse_cell(raw, kpi)
        if error:
            cell.error, cell.raw = error, raw
        else:
            try:
                measurement_upsert(company=request.company, kpi=kpi, period=period, value=value,
                                   source=Source.MANUAL, user=request.user)
            except MeasurementError as refused:
                cell.error, cell.raw = refused.errors[0].message, raw
            else:
                cell = grid_cell(request.company, kpi, period)
                cell.saved = True
    # 200 even for a refused value: htmx swaps the cell with its message in place.
    response = render_page(request, TEMPLATE, {"cell": cell, "team": team, "can_edit": True},
                           partial="cell")
    if cell.saved:
        # Computed KPIs in the grid may have changed with this input.
        response["HX-Trigger"] = "numbers-saved"
    return response
