"""A large organisation built in bulk: N teams × K KPIs × P weeks (tests and the bench)."""
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from metrics.models import Kgi, KgiStatus, Kpi, Measurement, PeriodKind, Target
from teams.models import Company, Membership, Role, Team, TeamMembership

PHASES = ["acquisition", "conversion", "revenue", "retention"]
CADENCES = ["weekly", "weekly", "monthly", "daily"]
UNITS = ["count", "percent", "JPY", "hours"]


def build_org(slug, teams=3, kpis_per_team=10, periods=26, password="pw", refresh_facts=True):
    """The company, an admin (``<slug>-admin``), teams with focus/monitoring KPIs and numbers."""
    company = Company.objects.create(slug=slug, name=f"Org {slug}")
    user = get_user_model().objects.create_user(username=f"{slug}-admin", password=password)
    Membership.objects.create(company=company, user=user, role=Role.ADMIN)
    team_objs = Team.objects.bulk_create(
        [Team(company=company, slug=f"t{i}", name=f"Team {i:02d}") for i in range(teams)])
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=t, user=user, role="manager") for t in team_objs])
    kpis = []
    for ti, team in enumerate(team_objs):
        for ki in range(kpis_per_team):
            kpis.append(Kpi(
                company=company, team=team, code=f"t{ti}_k{ki}", name_ja=f"指標{ti}-{ki}",
                name_en=f"Metric {ti}-{ki}", unit=UNITS[ki % 4], phase=PHASES[ki % 4],
                cadence=CADENCES[(ki // 4) % 4], kind="leading" if ki % 3 else "lagging",
                direction="lower" if ki % 5 == 4 else "higher",
                focus="active" if ki < 7 else "monitoring",
            ))
    root = Kpi(company=company, code="revenue", name_ja="売上", name_en="Revenue", unit="JPY",
               phase="revenue", cadence="monthly", kind="lagging", team=team_objs[0],
               formula=" + ".join(f"t{i}_k2" for i in range(min(teams, 20))))
    kpis = Kpi.objects.bulk_create(kpis + [root])
    root = kpis[-1]
    Kgi.objects.create(company=company, name="Revenue 1B", kpi=root, unit="JPY",
                       baseline=Decimal("500000000"), target=Decimal("1000000000"),
                       start_date=date(2026, 1, 1), deadline=date(2027, 3, 31),
                       why="Grow.", status=KgiStatus.ACTIVE)
    first = date(2026, 1, 5)
    rows = []
    for kpi in kpis:
        for p in range(periods):
            rows.append(Measurement(company=company, kpi=kpi,
                                    period_start=first + timedelta(weeks=p),
                                    value=Decimal(1000 + (p * 37 + kpi.pk) % 400)))
    Measurement.objects.bulk_create(rows, batch_size=5000)
    Target.objects.bulk_create(
        [Target(kpi=k, period_kind=PeriodKind.MONTH, period_start=date(2026, 1, 1),
                value=Decimal(1200)) for k in kpis[::2]])
    # Loaded in bulk, around the measurement writer: store the facts as a restore would
    # (manage.py facts_refresh); until then pages compute them live.
    if refresh_facts:
        from metrics.facts.store import facts_refresh

        facts_refresh(company)
    return company, user, team_objs, kpis
