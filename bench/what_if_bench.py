"""Time the what-if view (the request an htmx slider sends) against a bare page.

    python manage.py seed_demo
    python bench/what_if_bench.py [--runs 60] [--company demo] [--user demo-executive]
    python bench/what_if_bench.py --org big [--runs 100]   # 30 teams × 27 KPIs × 156 weeks

``--org big`` builds the big organisation as ``reforecast_bench.py`` does (``seed_bench``
plus a KGI over 60 leaf KPIs through five group KPIs; idempotent), an executive
``<company>-executive``, and this month's snapshot with the product's service (recomputed
only when missing or stored in the old shape).

Next to the snapshot it stores an old-shape twin twelve months back: the same figures with
everything in one payload, as snapshots were stored before reviews/0005, which the what-if
reads through its fallback (the payload's leaves and the company's tree). Requests go
round-robin — bare page (the password-change page), old-shape what-if, compact what-if, and
the report page of each — with the same random slider moves (three leaves at a time) through Django's test client (tenancy,
form, the 10,000-draw simulation, template). Prints median, p95 and worst per kind, the
ratio to the bare page, and the bytes each what-if request reads. Goal: p95 ≤ 150 ms at
30 teams.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")


def build_big(slug: str, teams: int):
    """The big organisation, its KGI and an executive (idempotent)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from reforecast_bench import ensure_kgi

    from teams.models import Company, Membership, Role

    call_command("migrate", verbosity=0)
    call_command("seed_bench", company=slug, teams=teams, kpis_per_team=27, weeks=156,
                 verbosity=0)
    company = Company.objects.get(slug=slug)
    ensure_kgi(company, teams)
    user, _ = get_user_model().objects.get_or_create(username=f"{slug}-executive")
    Membership.objects.get_or_create(company=company, user=user,
                                     defaults={"role": Role.EXECUTIVE})
    return company, user


def ensure_snapshot(company):
    """This month's done snapshot in the current shape (bench data: an old one is redone)."""
    from django.utils import timezone

    from reviews.models import Reforecast
    from reviews.reforecast.services import reforecast_compute, reforecast_request

    month = timezone.localdate().replace(day=1)
    row = Reforecast.objects.filter(company=company, month=month).first()
    if row is not None and row.is_done and row.what_if_inputs:
        return row
    Reforecast.objects.filter(company=company, month=month).delete()
    row, _queued = reforecast_request(company=company, month=month)
    started = time.perf_counter()
    row = reforecast_compute(reforecast_id=row.pk)
    assert row.is_done, row.error
    print(f"snapshot computed in {time.perf_counter() - started:.1f} s")
    return row


def old_shape_twin(row):
    """A copy of ``row`` twelve months back, stored as before reviews/0005 (one payload)."""
    from metrics.analytics.what_if import what_if_unpack
    from reviews.models import Reforecast, ReforecastForecasts

    month = row.month.replace(year=row.month.year - 1)
    Reforecast.objects.filter(company=row.company, month=month).delete()
    inputs = what_if_unpack(row.what_if_inputs)
    payload = {**row.payload,
               "forecasts": ReforecastForecasts.objects.get(reforecast=row).forecasts,
               "correlation": ({"codes": inputs.correlation[0],
                                "matrix": inputs.correlation[1].tolist()}
                               if inputs.correlation else None)}
    fields = {f: getattr(row, f) for f in (
        "kgi_id", "probability", "p10", "p50", "p90", "target", "deadline", "draws", "seed",
        "fingerprint", "completed_at")}
    return Reforecast.objects.create(company=row.company, month=month, status="done",
                                     progress=100, payload=payload, **fields)


def summary(times):
    times = sorted(times)
    return (statistics.median(times), times[max(0, int(0.95 * len(times)) - 1)], times[-1])


def main():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from reviews.models import Reforecast, ReforecastForecasts
    from teams.models import Company

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--org", choices=["demo", "big"], default="demo")
    parser.add_argument("--company", default=None)
    parser.add_argument("--user", default=None)
    parser.add_argument("--teams", type=int, default=30)
    args = parser.parse_args()
    setup_test_environment()  # the test client needs "testserver" in ALLOWED_HOSTS
    if args.org == "big":
        company, user = build_big(args.company or "bench", args.teams)
    else:
        company = Company.objects.get(slug=args.company or "demo")
        user = get_user_model().objects.get(username=args.user or "demo-executive")
    row = ensure_snapshot(company)
    twin = old_shape_twin(row)
    leaves = sorted(row.payload["leaves"])
    client = Client()
    client.force_login(user)
    urls = {"bare": "/accounts/password/",
            "old shape": reverse("reforecast-what-if", args=[company.slug, twin.month_key]),
            "compact": reverse("reforecast-what-if", args=[company.slug, row.month_key]),
            "report, old shape": reverse("reforecast-detail",
                                         args=[company.slug, twin.month_key]),
            "report": reverse("reforecast-detail", args=[company.slug, row.month_key])}
    rng = random.Random(7)
    times = {name: [] for name in urls}
    first = {}
    for i in range(args.runs + 1):  # the first round warms up
        data = {f"shift-{code}": str(rng.randint(-30, 30)) for code in rng.sample(leaves, 3)}
        for name, url in urls.items():
            start = time.perf_counter()
            if name == "bare" or name.startswith("report"):
                response = client.get(url)
            else:
                response = client.post(url, data, headers={"HX-Request": "true"})
            elapsed = 1000 * (time.perf_counter() - start)
            assert response.status_code == 200, (name, response.status_code)
            if name in ("old shape", "compact"):
                assert b"what-if-probability" in response.content, response.content[:300]
                first.setdefault(i, {})[name] = response.content
            if i:
                times[name].append(elapsed)
        assert first[i]["old shape"] == first[i]["compact"]  # the same figures
    # What each kind of request reads from its snapshot row (bytes as sent by the database).
    stored = Reforecast.objects.get(pk=row.pk)
    old = Reforecast.objects.get(pk=twin.pk)
    inputs = len(bytes(stored.what_if_inputs))
    old_payload = len(json.dumps(old.payload))
    new_payload = len(json.dumps(stored.payload))
    forecasts = len(json.dumps(ReforecastForecasts.objects.get(reforecast=row).forecasts))
    print(f"what-if view, {company.slug} {row.month_key}, {row.draws:,} draws, "
          f"{len(leaves)} leaf KPIs, {args.runs} rounds of {len(urls)} requests")
    bare = summary(times["bare"])
    for name in urls:
        median, p95, worst = summary(times[name])
        ratio = "" if name == "bare" else f" · {median / bare[0]:.1f}× bare (median)"
        print(f"  {name:17s} median {median:.0f} ms · p95 {p95:.0f} ms · worst {worst:.0f} ms"
              + ratio)
    print(f"  bytes read per what-if: old shape {old_payload:,} (the whole payload) → compact "
          f"{inputs:,} ({old_payload / inputs:.0f}× less)")
    print(f"  report payload: {old_payload:,} → {new_payload:,} bytes; forecasts in their own "
          f"table: {forecasts:,} bytes (read by no page)")
    print(f"  load average {os.getloadavg()[0]:.2f}; goal: compact p95 ≤ 150 ms")


if __name__ == "__main__":
    main()
