"""The full monthly reforecast on the big organisation: wall time and peak memory (printed).

Run on PostgreSQL (the figures that matter):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/reforecast_bench.py

It builds the organisation with ``seed_bench`` (30 teams × 27 KPIs × 156 weeks, idempotent),
puts a KGI on top (monthly total = Σ teams' volume × ratio, through five group KPIs, so 60
leaf KPIs feed the simulation), runs the nightly anomaly detector, then computes this
month's snapshot with the product's service — the same code the Celery task runs — a few
times (deleting the previous run's row in between: snapshots are otherwise immutable).
Goal: ≤ 10 s on 2 cores.
"""
import argparse
import os
import resource
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Avg  # noqa: E402
from django.utils import timezone  # noqa: E402

from metrics.analytics.anomaly_detection import anomalies_detect  # noqa: E402
from metrics.models import Kgi, KgiStatus, Kpi, Measurement  # noqa: E402
from reviews.models import Reforecast  # noqa: E402
from reviews.reforecast.services import reforecast_compute, reforecast_request  # noqa: E402
from teams.models import Company  # noqa: E402

GROUPS = 5


def ensure_kgi(company, teams):
    """Group KPIs (6 teams each) and the root, then one active KGI on the root (idempotent)."""
    per_group = max(1, teams // GROUPS)
    names = []
    for g in range(GROUPS):
        members = range(g * per_group, min(teams, (g + 1) * per_group))
        formula = " + ".join(f"t{t:02d}_k00 * t{t:02d}_k04" for t in members)
        if not formula:
            continue
        Kpi.objects.update_or_create(
            company=company, code=f"bench_g{g}",
            defaults={"name_ja": f"グループ {g}", "name_en": f"Group {g}", "cadence": "monthly",
                      "aggregation": "sum", "formula": formula, "unit": "count"})
        names.append(f"bench_g{g}")
    root, _ = Kpi.objects.update_or_create(
        company=company, code="bench_total",
        defaults={"name_ja": "全社合計", "name_en": "Company total", "cadence": "monthly",
                  "aggregation": "sum", "formula": " + ".join(names), "unit": "count",
                  "kind": "lagging", "phase": "revenue"})
    if not Kgi.objects.filter(company=company, status=KgiStatus.ACTIVE).exists():
        # Target: today's level in the deadline month (its Mondays' worth of weekly volume ×
        # weekly ratio, per team) + 5 %, so the probability is neither 0 nor 1.
        today = timezone.localdate()
        deadline = date(today.year + 1, 3, 31)
        weeks = sum(1 for d in range(1, 32) if date(deadline.year, 3, d).weekday() == 0)
        means = dict(Measurement.objects.filter(company=company, kpi__code__regex=r"_k0[04]$")
                     .values_list("kpi__code").annotate(mean=Avg("value")))
        level = sum(float(means.get(f"t{t:02d}_k00", 0)) * weeks
                    * float(means.get(f"t{t:02d}_k04", 0)) * weeks for t in range(teams))
        Kgi.objects.create(company=company, kpi=root, name="Company total +5 %", unit="count",
                           baseline=Decimal(round(level)), target=Decimal(round(level * 1.05)),
                           start_date=today.replace(month=1, day=1),
                           deadline=deadline, why="bench",
                           status=KgiStatus.ACTIVE)
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--company", default="bench")
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--kpis-per-team", type=int, default=27)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_bench", company=args.company, teams=args.teams,
                 kpis_per_team=args.kpis_per_team, weeks=args.weeks, verbosity=0)
    company = Company.objects.get(slug=args.company)
    ensure_kgi(company, args.teams)
    kpis = Kpi.objects.filter(company=company).count()
    rows = Measurement.objects.filter(company=company).count()
    print(f"database: {connection.vendor}; {kpis} KPIs, {rows} measurements")

    started = time.perf_counter()
    found = anomalies_detect(company=company)
    print(f"anomaly detector: {time.perf_counter() - started:.2f} s, {found} findings")

    month = timezone.localdate().replace(day=1)
    times = []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(args.repeat):
        Reforecast.objects.filter(company=company, month=month).delete()
        row, _queued = reforecast_request(company=company, month=month)
        started = time.perf_counter()
        row = reforecast_compute(reforecast_id=row.pk)
        times.append(time.perf_counter() - started)
        assert row.is_done, row.error
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"probability {row.probability:.3f}; P10/P50/P90 {row.p10:,.0f} / {row.p50:,.0f} / "
          f"{row.p90:,.0f}; {len(row.payload['leaves'])} leaves, "
          f"{len(row.kpi_forecasts.forecasts)} KPI forecasts, {row.draws} draws")
    print(f"peak RSS {peak_mb:.0f} MB (before the reforecasts: {rss_before / 1024:.0f} MB)")
    print(f"monthly reforecast wall time: median {statistics.median(times):.2f} s "
          f"over {len(times)} runs (min {min(times):.2f}, max {max(times):.2f}); goal <= 10 s")


if __name__ == "__main__":
    main()
