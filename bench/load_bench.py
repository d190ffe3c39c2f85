"""The dashboard under load, next to the bare page under the same load, while numbers arrive.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h2 REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python bench/load_bench.py [--teams 30] [--kpis 27] [--weeks 156] \
        [--concurrency 32] [--seconds 60] [--workers 4] [--port 8766] [--keep]

Bounds (refused otherwise): 127.0.0.1 only (the server binds there and the database must be
local), at most 32 concurrent clients, at most 60 seconds of load.

It builds the organisation of bench/scale_bench.py (30 teams × 27 KPIs × 156 weeks by
default) in ``<name>_scale_t<teams>_w<weeks>`` beside DATABASE_URL's database (``--keep``
reuses and keeps it, as scale_bench's ``--keep`` does), collects the static files, and starts
gunicorn as the Procfile's ``web`` does (sync workers, ``--workers 4``) with the production
settings (``kgiapp.settings_production``: DEBUG off, manifest static files, secure cookies,
Redis cache) except what a local run needs: a generated SECRET_KEY, no HTTPS redirect (the
clients send ``X-Forwarded-Proto: https`` as a TLS proxy in front would) and the local
ALLOWED_HOSTS. Celery tasks go to the Redis broker of REDIS_URL, as in production; no worker
runs, and that Redis database is flushed at the end.

Every client is a logged-in user (a session created up front for the org's admin) with its
own connection; each request is the dashboard or the bare page (/accounts/password/, the
same base template), chosen at random half and half, so both see the same load. Meanwhile
a writer stores one number per second through the app (``POST /api/v1/<company>/measurements``
with an API token, i.e. the one measurement writer), so most dashboard loads follow a write.
The writer has 3 connections of the 32 (a write is due every second and waits for no
earlier one unless all three are still waiting), so 29 clients read pages. Static files are
collected into /tmp/<database>-load-static unless its manifest is newer than every file.

Printed: throughput, p50/p95/p99 per page, errors (any status but 200 or an exception), the
writes, the load average, and last the ratio p95(dashboard) / p95(bare); goal ≤ 2, 0 errors.
"""
import argparse
import os
import random
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "kgiapp.settings_production"
# The same key for this process (which signs the sessions) and gunicorn's workers.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
# Collected once per database name (the manifest the production storage needs).
os.environ["STATIC_ROOT"] = "/tmp/{}-load-static".format(
    urlsplit(os.environ.get("DATABASE_URL", "")).path.strip("/") or "kgiapp")

PAGES = ("dashboard", "bare")
WRITERS = 3  # connections the writes may wait on at once (counted in --concurrency)
HEADERS = {"X-Forwarded-Proto": "https"}
from local_server import deadline_barrier, port_free, run_together, start_gunicorn  # noqa: E402 (bench/)


def static_current():
    """Whether STATIC_ROOT's manifest is newer than every static file (collected already)."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(Path(storage.path(path)).stat().st_mtime
                 for finder in get_finders() for path, storage in finder.list([]))
    return manifest.stat().st_mtime > newest


def sessions(user, count):
    """``count`` database sessions of this user, as a login creates them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    backend = next((b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")),
                   settings.AUTHENTICATION_BACKENDS[0])
    keys = []
    for _ in range(count):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))] if values else 0.0


def run(base, urls, keys, token, *, seconds, write_period, week):
    import httpx

    timings = {name: [] for name in PAGES}
    errors = {name: 0 for name in (*PAGES, "write")}
    writes = []
    lock = threading.Lock()
    ready, deadline = deadline_barrier(len(keys) + WRITERS, seconds)

    def client(index, key):
        rng = random.Random(index)
        http = httpx.Client(base_url=base, timeout=60, follow_redirects=False,
                            headers={**HEADERS, "Cookie": f"sessionid={key}"})
        for name in PAGES:  # the workers load templates and warm their connections
            http.get(urls[name], params={"warm-up": 1})  # left out of the worker times
        ready.wait()
        while time.monotonic() < deadline[0]:
            name = rng.choice(PAGES)
            started = time.perf_counter()
            try:
                ok = http.get(urls[name]).status_code == 200
            except httpx.HTTPError as exc:
                ok = False
                print(f"  {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            elapsed = time.perf_counter() - started
            with lock:
                timings[name].append(elapsed)
                errors[name] += not ok
        http.close()

    values = iter(range(5001, 10**9))
    next_at = [0.0]
    schedule = threading.Lock()

    def writer():
        # WRITERS threads share one clock: a write is due every ``write_period`` seconds and
        # waits for no other, unless all of them are still waiting for an answer.
        http = httpx.Client(base_url=base, timeout=60,
                            headers={**HEADERS, "Authorization": f"Bearer {token}"})
        ready.wait()
        while True:
            with schedule:
                due = next_at[0] = max(next_at[0] + write_period, time.monotonic())
                value = next(values)
            time.sleep(max(0.0, due - time.monotonic()))
            if time.monotonic() >= deadline[0]:
                break
            started = time.perf_counter()
            try:
                answer = http.post(f"/api/v1/{urls['slug']}/measurements", json={"items": [
                    {"kpi": "t1_k0", "period": week, "value": str(value)}]})
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            with lock:
                writes.append(time.perf_counter() - started)
                errors["write"] += not ok
        http.close()

    threads = [threading.Thread(target=client, args=(i, k)) for i, k in enumerate(keys)]
    threads += [threading.Thread(target=writer) for _ in range(WRITERS)]
    return timings, errors, writes, run_together(threads, ready)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--kpis", type=int, default=27)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--write-every", type=float, default=1.0, help="seconds between writes")
    parser.add_argument("--keep", action="store_true", help="reuse and keep the built database")
    args = parser.parse_args()
    if not WRITERS < args.concurrency <= 32:
        parser.error(f"--concurrency must be {WRITERS + 1}..32 (the writer's {WRITERS} included)")
    if not 1 <= args.seconds <= 60:
        parser.error("--seconds must be 1..60")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
        parser.error("set DATABASE_URL to a PostgreSQL on 127.0.0.1")
    if not os.environ.get("REDIS_URL"):
        parser.error("set REDIS_URL (production caches in Redis), e.g. redis://127.0.0.1:6379/N")
    if not port_free(args.port):
        parser.error(f"port {args.port} is taken")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from scale_bench import SLUG, admin_sql, pages_of, prepare, use_database

    from metrics.models import Kpi, Measurement
    from teams.models import Company
    from teams.services import api_token_create

    base_name = connection.settings_dict["NAME"]
    server = None
    name = None
    try:
        name, built, _new = prepare(base_name, args.teams, args.kpis, args.weeks, args.keep)
        company = Company.objects.get(slug=SLUG)
        user = get_user_model().objects.get(username=f"{SLUG}-admin")
        urls = pages_of(company)
        urls["slug"] = SLUG
        keys = sessions(user, args.concurrency - WRITERS)
        _token, raw = api_token_create(company=company, user=user, name="load bench")
        week = Measurement.objects.filter(kpi=Kpi.objects.get(company=company, code="t1_k0")
                                          ).latest("period_start").period_start.isoformat()
        collected = time.perf_counter()
        if not static_current():
            call_command("collectstatic", interactive=False, verbosity=0)
        collected = time.perf_counter() - collected
        cache.clear()
        parts = urlsplit(url)
        env = {**os.environ, "DATABASE_URL": parts._replace(path="/" + name).geturl()}
        access = Path(f"/tmp/{base_name}-load-access.log")
        access.unlink(missing_ok=True)
        log = open(f"/tmp/{base_name}-load-gunicorn.log", "wb")  # noqa: SIM115 - closed with the server
        # As the Procfile's web process (sync workers), bound to 127.0.0.1.
        server = start_gunicorn(args.port, [
            "--workers", str(args.workers), "--timeout", "60", "--graceful-timeout", "30",
            "--access-logfile", str(access), "--access-logformat", "%(U)s?%(q)s %(s)s %(D)s"],
            env=env, log=log)
        base = f"http://127.0.0.1:{args.port}"
        numbers = (args.teams * args.kpis + 1) * args.weeks
        print(f"# load: {args.concurrency - WRITERS} logged-in clients + a writer on {WRITERS} "
              f"connections × {args.seconds} s, gunicorn "
              f"{args.workers} sync workers, production settings, {args.teams} teams × "
              f"{args.kpis} KPIs × {args.weeks} weeks = {numbers:,} numbers"
              + (f" (built in {built:.0f} s)" if built else " (kept database)")
              + f", static files collected in {collected:.0f} s; one write every "
              f"{args.write_every:g} s through the API")
        load_before = os.getloadavg()
        timings, errors, writes, wall = run(base, urls, keys, raw, seconds=args.seconds,
                                            write_period=args.write_every, week=week)
        load_after = os.getloadavg()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        try:
            cache.clear()
        finally:
            use_database(base_name)
            if name and not args.keep:
                admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    total = sum(len(v) for v in timings.values())
    print(f"{'page':<10}{'done':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}")
    for page in PAGES:
        values = timings[page]
        print(f"{page:<10}{len(values):>7}{len(values) / wall:>8.1f}"
              f"{percentile(values, .5) * 1000:>9.0f}{percentile(values, .95) * 1000:>9.0f}"
              f"{percentile(values, .99) * 1000:>9.0f}{errors[page]:>8}")
    print(f"{'writes':<10}{len(writes):>7}{len(writes) / wall:>8.1f}"
          f"{percentile(writes, .5) * 1000:>9.0f}{percentile(writes, .95) * 1000:>9.0f}"
          f"{percentile(writes, .99) * 1000:>9.0f}{errors['write']:>8}")
    # In the worker: gunicorn's request time (µs), the wait in the listen queue excluded;
    # the warm-up requests before the clock (with a query string) are left out.
    served = {name: [] for name in PAGES}
    paths = {urls[name]: name for name in PAGES}
    for line in access.read_text().splitlines():
        path, _status, micros = line.rsplit(" ", 2)
        path = path.removesuffix("?")
        if path in paths:
            served[paths[path]].append(int(micros) / 1e6)
    print("in the worker (queue excluded): " + ", ".join(
        f"{page} p50 {percentile(served[page], .5) * 1000:.0f} ms p95 "
        f"{percentile(served[page], .95) * 1000:.0f} ms" for page in PAGES)
        + f"; p95 ratio {percentile(served['dashboard'], .95) / max(percentile(served['bare'], .95), 1e-9):.2f}×")
    print(f"all: {total} page loads in {wall:.1f} s = {total / wall:.1f} per s; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)")
    ratio = percentile(timings["dashboard"], .95) / max(percentile(timings["bare"], .95), 1e-9)
    failed = sum(errors.values())
    print(f"p95 dashboard / p95 bare = {ratio:.2f}× (goal ≤ 2×), {failed} errors")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
