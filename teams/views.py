"""Team pages."""
from kgiapp.htmx import render_page
from kgiapp.selectors import team_page
from kgiapp.tenancy import company_view, get_team
from teams.selectors import team_members


@company_view("view")
def team_detail(request, team):
    team = get_team(request, team)
    context = team_page(request.company, team)
    context.update(team=team, members=team_members(team))
    return render_page(request, "teams/team_detail.html", context)
