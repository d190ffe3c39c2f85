"""Time the what-if view on the demo company: the request an htmx slider sends.

    python manage.py seed_demo
    python bench/what_if_bench.py [--runs 60] [--company demo] [--user demo-executive]

Posts random slider positions to this month's /<company>/reforecasts/<month>/what-if/
through Django's test client (the whole view: tenancy, form, 10,000-draw simulation,
template) and prints the median, p95 and worst wall time. Goal: ≤ 300 ms.
"""
import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")


def main():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from reviews.models import Reforecast
    from teams.models import Company

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--company", default="demo")
    parser.add_argument("--user", default="demo-executive")
    args = parser.parse_args()
    setup_test_environment()  # the test client needs "testserver" in ALLOWED_HOSTS
    company = Company.objects.get(slug=args.company)
    row = Reforecast.objects.filter(company=company, status="done").order_by("-month").first()
    leaves = sorted(row.payload["leaves"])
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    url = reverse("reforecast-what-if", args=[company.slug, row.month_key])
    rng = random.Random(7)
    client.post(url, {"shift-cvr": "1"}, headers={"HX-Request": "true"})  # warm up
    times = []
    for _ in range(args.runs):
        data = {f"shift-{code}": str(rng.randint(-30, 30)) for code in rng.sample(leaves, 3)}
        start = time.perf_counter()
        response = client.post(url, data, headers={"HX-Request": "true"})
        times.append(1000 * (time.perf_counter() - start))
        assert response.status_code == 200 and b"what-if-probability" in response.content
    times.sort()
    print(f"what-if view, {company.slug} {row.month_key}, {row.draws:,} draws, "
          f"{len(leaves)} leaf KPIs, {args.runs} requests")
    print(f"  median {statistics.median(times):.0f} ms · p95 "
          f"{times[int(0.95 * len(times)) - 1]:.0f} ms · worst {times[-1]:.0f} ms "
          f"(goal ≤ 300 ms)")


if __name__ == "__main__":
    main()
