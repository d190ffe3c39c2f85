"""Queries about teams that pages share."""
import re

from teams.dataversion import cached
from teams.models import Team, TeamMembership

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def teams_for_company(company):
    return Team.objects.filter(company=company).order_by("name")


def teams_by_name(company):
    """The company's teams by name, kept under its data token (teams are tracked)."""
    return cached(company, "teams-by-name", (), lambda: list(teams_for_company(company)))


def team_by_slug(company, slug):
    """The company's team with this slug, or None (cached under the data token: teams are
    tracked, so a renamed or deleted team is seen on the next load)."""
    if not SLUG.fullmatch(slug):  # never a cache key made of whatever a URL carried
        return None
    return cached(company, "team-slug", (slug,),
                  lambda: Team.objects.filter(company=company, slug=slug).first())


def team_members(team):
    return TeamMembership.objects.filter(team=team).select_related("user").order_by(
        "-role", "user__username"
    )
