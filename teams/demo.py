"""The demo company's people and teams (step one of ``seed_demo``)."""
from django.contrib.auth import get_user_model
from django.db import transaction

from teams.models import Company, Membership, Role, Team, TeamMembership

DEMO_PASSWORD = "demo"

TEAMS = [
    ("sales", "営業"),
    ("marketing", "マーケティング"),
    ("cs", "カスタマーサクセス"),
]

# Named colleagues so team pages look like a real company: (username, last, first, team, role)
COLLEAGUES = [
    ("tanaka", "田中", "誠", "sales", "member"),
    ("suzuki", "鈴木", "美咲", "sales", "member"),
    ("sato", "佐藤", "健太", "marketing", "member"),
    ("takahashi", "高橋", "由衣", "marketing", "member"),
    ("ito", "伊藤", "翔", "cs", "member"),
    ("watanabe", "渡辺", "彩", "cs", "member"),
]


@transaction.atomic
def seed_company(slug="demo", name=None):
    """Create (or find) the company, one user per role, the three teams; safe to rerun."""
    company, _created = Company.objects.get_or_create(
        slug=slug,
        defaults={"name": name or "デモ株式会社", "currency": "JPY", "timezone": "Asia/Tokyo",
                  "language": "ja", "fiscal_year_start_month": 4},
    )
    teams = {}
    for team_slug, team_name in TEAMS:
        teams[team_slug], _c = Team.objects.get_or_create(
            company=company, slug=team_slug,
            defaults={"name": team_name, "timezone": company.timezone},
        )
    users = {}
    for role in Role.values:
        users[role] = _user(f"{slug}-{role}", first=role.capitalize(), last="Demo")
        Membership.objects.get_or_create(company=company, user=users[role],
                                         defaults={"role": role})
    for team in teams.values():
        TeamMembership.objects.get_or_create(team=team, user=users[Role.MANAGER],
                                             defaults={"role": "manager"})
        TeamMembership.objects.get_or_create(team=team, user=users[Role.MEMBER],
                                             defaults={"role": "member"})
    for username, last, first, team_slug, role in COLLEAGUES:
        user = _user(f"{slug}-{username}", first=first, last=last)
        Membership.objects.get_or_create(company=company, user=user, defaults={"role": role})
        TeamMembership.objects.get_or_create(team=teams[team_slug], user=user,
                                             defaults={"role": role})
    return company


def _user(username, first, last):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
