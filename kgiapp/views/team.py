"""Team pages."""
from django.http import Http404

from core.htmx import render_page
from kgiapp.dashboard import team_by_slug, team_page
from teams.tenancy import company_view


@company_view("view")
def team_detail(request, team):
    team = team_by_slug(request.company, team)
    if team is None:
        raise Http404
    context = team_page(request.company, team)
    context["team"] = team
    return render_page(request, "teams/team_detail.html", context)
