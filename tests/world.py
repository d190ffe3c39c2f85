"""A small world for tests: company A with a user per role and teams, company B outside it.

Later features add their objects here so the permission matrix can build every URL.
"""
import importlib
import pkgutil
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from teams.models import Company, Membership, Role, Team, TeamMembership

ROLES = list(Role.values)


@dataclass
class World:
    company: Company
    other: Company
    users: dict
    outsider: object
    team: Team
    other_team: Team
    extra: dict = field(default_factory=dict)

    def user(self, role):
        return self.users[role]


def make_user(username, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username,
                                                **extra)
    return user


def build_world():
    company = Company.objects.create(slug="acme", name="Acme")
    other = Company.objects.create(slug="globex", name="Globex")
    team = Team.objects.create(company=company, slug="sales", name="Sales")
    Team.objects.create(company=company, slug="marketing", name="Marketing")
    other_team = Team.objects.create(company=other, slug="sales", name="Globex Sales")
    users = {}
    for role in ROLES:
        users[role] = make_user(f"acme-{role}")
        Membership.objects.create(company=company, user=users[role], role=role)
    TeamMembership.objects.create(team=team, user=users[Role.MANAGER], role="manager")
    TeamMembership.objects.create(team=team, user=users[Role.MEMBER], role="member")
    outsider = make_user("globex-admin")
    Membership.objects.create(company=other, user=outsider, role=Role.ADMIN)
    world = World(company=company, other=other, users=users, outsider=outsider, team=team,
                  other_team=other_team)
    for extend in world_extensions():
        extend(world)
    return world


def world_extensions():
    """Each feature adds its objects in tests/worlds/<feature>.py via ``extend(world)``."""
    package = importlib.import_module("tests.worlds")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    return [importlib.import_module(f"tests.worlds.{name}").extend for name in names]
