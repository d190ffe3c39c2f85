"""python manage.py seed_bench --company SLUG --teams 30 --kpis-per-team 27 --weeks 156.

A big organisation for benchmarks (≈126k measurements), written with bulk inserts;
rerunning adds nothing that is already there.
"""
import random
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.calendar import week_of
from metrics.models import Kpi, Measurement, Source
from teams.models import Company, Team

UNITS = ["count", "JPY", "percent", "count", "ratio", "hours"]


class Command(BaseCommand):
    help = "Create a large company with many teams, KPIs and weeks of numbers (bulk, fast)."

    def add_arguments(self, parser):
        parser.add_argument("--company", default="bench")
        parser.add_argument("--teams", type=int, default=30)
        parser.add_argument("--kpis-per-team", type=int, default=27)
        parser.add_argument("--weeks", type=int, default=156)

    @transaction.atomic
    def handle(self, *args, company, teams, kpis_per_team, weeks, **options):
        started = time.perf_counter()
        company_obj, _ = Company.objects.get_or_create(slug=company,
                                                       defaults={"name": f"Bench {company}"})
        Team.objects.bulk_create([Team(company=company_obj, slug=f"team-{t:02d}",
                                       name=f"Team {t:02d}") for t in range(teams)],
                                 ignore_conflicts=True)
        team_objs = list(Team.objects.filter(company=company_obj, slug__startswith="team-")
                         .order_by("slug")[:teams])
        Kpi.objects.bulk_create([
            Kpi(company=company_obj, code=f"t{t:02d}_k{k:02d}", name_ja=f"指標 {t:02d}-{k:02d}",
                name_en=f"KPI {t:02d}-{k:02d}", unit=UNITS[k % len(UNITS)], cadence="weekly",
                aggregation="sum", team=team, data_source="bench", definition="bench")
            for t, team in enumerate(team_objs) for k in range(kpis_per_team)
        ], ignore_conflicts=True, batch_size=2000)
        kpis = list(Kpi.objects.filter(company=company_obj, code__regex=r"^t\d+_k\d+$"))
        today = timezone.localdate()
        monday = week_of(today).monday
        mondays = [monday - timedelta(weeks=n) for n in range(weeks, 0, -1)]
        rng = random.Random(company)
        now = timezone.now()
        rows = []
        for kpi in kpis:
            base = rng.uniform(10, 90) if kpi.unit == "percent" else rng.uniform(100, 100_000)
            for week in mondays:
                value = base * rng.uniform(0.9, 1.1)
                if kpi.unit == "percent":
                    value = min(value, 100)
                rows.append(Measurement(company=company_obj, kpi=kpi, period_start=week,
                                        value=Decimal(round(value, 2 if kpi.unit in (
                                            "percent", "ratio", "hours") else 0)),
                                        source=Source.IMPORT, updated_at=now))
        Measurement.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        total = Measurement.objects.filter(company=company_obj).count()
        self.stdout.write(self.style.SUCCESS(
            f"{company}: {len(team_objs)} teams, {len(kpis)} KPIs, {total} measurements "
            f"in {time.perf_counter() - started:.1f} s"))
