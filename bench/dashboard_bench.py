"""Time the dashboard, a team page, a KPI page and a weekly review against a bare page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_dash REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/dashboard_bench.py [--teams 30 --kpis 27 --weeks 156 --n 40]

Builds the big organisation of ``seed_bench`` (30 teams × 27 KPIs × 156 weeks) in a
throwaway test database — with tests/kgiapp/bigorg.py, which also gives it what a dashboard
shows (phases, cadences, seven focus KPIs per team, targets, a KGI, an admin) — then
requests each page (dashboard, team, KPI, weekly review) with Django's test Client and prints median milliseconds.

Pages are requested round-robin (bare, dashboard, team, KPI, review, bare, …) so a busy machine
slows them alike. Two figures per page:

- **warm**: what every load gets while the company's data has not changed;
- **after a write**: the first load after a number of the company was written through the
  one measurement writer, as the grid writes it (the write itself is not timed).

Pages read the stored per-KPI facts (metrics/facts, metrics/cards.py) on every load, so both
figures do the same work; only the KPI tree's derived values are kept under the company's
data token (no rendered HTML is cached). The organisation
is bulk-loaded, then ``manage.py facts_refresh`` stores its facts and runs ANALYZE.

The bare page is the password-change page: logged in, same base template. Templates are
not instrumented (no ``setup_test_environment``), as in production. The last line is
the ratios to the bare page; goal ≤ 2×.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")

from page_timing import timed_get  # noqa: E402 (bench/, the script's own folder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--kpis", type=int, default=27, help="KPIs per team")
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--n", type=int, default=40, help="requests per page (≥ 30)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from metrics.models import Measurement
        from tests.kgiapp.bigorg import build_org

        started = time.perf_counter()
        company, user, teams, kpis = build_org(
            "bench", teams=args.teams, kpis_per_team=args.kpis, periods=args.weeks)
        # The bulk load bypassed the measurement writer: store the facts and the planner's
        # statistics as a deploy does after a restore (manage.py facts_refresh).
        from django.core.management import call_command

        from reviews.services import review_open_for_week

        call_command("facts_refresh", stdout=open(os.devnull, "w"))  # noqa: SIM115
        review = review_open_for_week(team=teams[1])
        print(f"# {connection.vendor}, cache {settings.CACHES['default']['BACKEND']}: "
              f"{args.teams} teams × {args.kpis} KPIs × {args.weeks} weeks = "
              f"{len(kpis) * args.weeks:,} numbers, built in "
              f"{time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(user)
        pages = {
            "bare": "/accounts/password/",
            "dashboard": "/bench/",
            "team": "/bench/teams/t1/",
            "kpi": "/bench/kpis/revenue/",
            "review": f"/bench/teams/t1/reviews/{review.week_label}/",
        }
        # One number of the team page's first KPI, written as the grid writes it (the one
        # measurement writer): a write the pages all depend on.
        from metrics.measurements import measurement_upsert
        from metrics.models import Kpi

        kpi0 = Kpi.objects.get(company=company, code="t1_k0")
        latest = Measurement.objects.filter(kpi=kpi0).latest("period_start")
        counter = iter(range(1, 10**9))

        def write():
            measurement_upsert(company=company, kpi=kpi0, period=latest.period_start,
                               value=latest.value + next(counter))

        cache.clear()
        for url in pages.values():  # warm templates, connections and the cache
            for _ in range(3):
                assert client.get(url).status_code == 200, url
        def timed(url, before=None):
            return timed_get(client, url, before)

        rounds = max(args.n, 30)
        # Warm: nothing changes between loads. After a write: each page load (but not the
        # bare page's) follows a write to the company's numbers. Each block times its own
        # bare page, round-robin with the others.
        warm = {name: [] for name in pages}
        for _ in range(rounds):
            for name, url in pages.items():
                warm[name].append(timed(url))
        cold = {name: [] for name in pages}
        for _ in range(rounds):
            for name, url in pages.items():
                cold[name].append(timed(url, None if name == "bare" else write))
        med = {block: {name: statistics.median(times) for name, times in data.items()}
               for block, data in (("warm", warm), ("cold", cold))}
        for name, url in pages.items():
            print(f"{name:10s} {url:24s} median {med['warm'][name]:7.1f} ms  "
                  f"p90 {sorted(warm[name])[int(rounds * .9)]:7.1f} ms   "
                  f"after a write {med['cold'][name]:7.1f} ms")
        write_cost(rounds, write)
        names = [name for name in pages if name != "bare"]
        print("ratios vs bare page: " + "  ".join(
            f"{name} {med['warm'][name] / med['warm']['bare']:.2f}×" for name in names)
            + "  |  after a write: " + "  ".join(
            f"{name} {med['cold'][name] / med['cold']['bare']:.2f}×" for name in names))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def write_cost(rounds, write):
    """What writers cost (numbers and their KPI facts): one number, a whole team's numbers,
    and a grid write while an import of the same company is still open elsewhere."""
    import threading

    from django.db import OperationalError, connection, connections, transaction
    from django.db.models import F

    from metrics.models import Measurement

    def ms(action):
        t0 = time.perf_counter()
        action()
        return (time.perf_counter() - t0) * 1000

    one = statistics.median(ms(write) for _ in range(rounds))
    team = list(Measurement.objects.filter(kpi__code__startswith="t2_").values_list("pk", flat=True))

    def bulk():
        with transaction.atomic():
            Measurement.objects.filter(pk__in=team).update(value=F("value") + 1)

    many = statistics.median(ms(bulk) for _ in range(max(rounds // 4, 5)))
    line = f"writes: one number {one:.1f} ms, {len(team):,} numbers in one transaction {many:.1f} ms"
    if connection.vendor == "postgresql":
        opened, done = threading.Event(), threading.Event()

        def open_import():
            try:
                with transaction.atomic():
                    Measurement.objects.filter(pk__in=team).update(value=F("value") + 1)
                    opened.set()
                    done.wait(30)
            finally:
                connections.close_all()

        thread = threading.Thread(target=open_import)
        thread.start()
        opened.wait(30)

        def grid_write():
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                write()

        try:
            line += f"; grid write during an open import {ms(grid_write):.1f} ms"
        except OperationalError:
            line += "; grid write during an open import: blocked (lock timeout 3 s)"
        finally:
            done.set()
            thread.join()
    print(line)


if __name__ == "__main__":
    main()
