"""The company dashboard: the North Star, KPI layers by cadence × phase, the checklist."""
from django.http import Http404

from core.htmx import render_page
from kgiapp import dashboard as selectors
from kgiapp.first_run import first_run_steps
from metrics.selectors import CADENCE_ORDER, PHASE_ORDER
from teams.permissions import can
from teams.tenancy import company_view


@company_view("view")
def dashboard(request):
    team_slug = request.GET.get("team") or ""
    team = selectors.team_by_slug(request.company, team_slug) if team_slug else None
    if team_slug and team is None:
        raise Http404
    cadence = request.GET.get("cadence", "")
    cadence = cadence if cadence in CADENCE_ORDER else ""
    show_all = request.GET.get("all") == "1"
    context = selectors.dashboard(request.company, team=team, cadence=cadence or None,
                                  show_all=show_all)
    context.update(team=team, cadence=cadence, cadences=CADENCE_ORDER, phases=PHASE_ORDER,
                   show_all=show_all)
    context["first_run"] = None
    if not can(request.membership, "admin"):
        context["checklist"] = None
    else:
        # The path stays until every step is done; then the dashboard is only the numbers.
        context["first_run"] = first_run_steps(request.company, context["first_run_facts"])
    return render_page(request, "kgiapp/dashboard.html", context, partial="layers")
