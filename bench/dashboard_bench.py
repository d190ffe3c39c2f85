"""Time the dashboard, a team page and a KPI page against a bare authenticated page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_dash \
        .venv/bin/python bench/dashboard_bench.py [--teams 30 --kpis 12 --weeks 52 --n 40]

Builds a big organisation in a throwaway test database (``seed_bench`` is not on this
branch, so tests/dash/bigorg.py builds it in bulk), then requests each page ≥ 30 times
with Django's test Client and prints median milliseconds; the ratios to the bare page
(the password-change page: logged in, same base template) are the last line. Goal ≤ 2×.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--kpis", type=int, default=12, help="KPIs per team")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--n", type=int, default=40, help="requests per page (≥ 30)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from tests.dash.bigorg import build_org

        started = time.perf_counter()
        _company, user, _teams, kpis = build_org(
            "bench", teams=args.teams, kpis_per_team=args.kpis, periods=args.weeks)
        print(f"# {connection.vendor}: {args.teams} teams × {args.kpis} KPIs × {args.weeks} "
              f"weeks = {len(kpis) * args.weeks:,} numbers, built in "
              f"{time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(user)
        pages = {
            "bare": "/accounts/password/",
            "dashboard": "/bench/",
            "team": "/bench/teams/t1/",
            "kpi": "/bench/kpis/revenue/",
        }
        medians = {}
        for name, url in pages.items():
            for _ in range(3):  # warm caches and templates
                assert client.get(url).status_code == 200, url
            times = []
            for _ in range(max(args.n, 30)):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            medians[name] = statistics.median(times)
            print(f"{name:10s} {url:24s} median {medians[name]:7.1f} ms  "
                  f"p90 {sorted(times)[int(len(times) * .9)]:7.1f} ms")
        bare = medians.pop("bare")
        print("ratios vs bare page: " + "  ".join(
            f"{name} {value / bare:.2f}×" for name, value in medians.items()))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
