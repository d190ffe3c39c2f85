"""Queries about teams that pages share."""
from teams.models import Team, TeamMembership


def teams_for_company(company):
    return Team.objects.filter(company=company).order_by("name")


def team_members(team):
    return TeamMembership.objects.filter(team=team).select_related("user").order_by(
        "-role", "user__username"
    )
