"""A bounded soak against gunicorn: page loads, grid edits, imports and API pushes at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_soak \
        .venv/bin/python bench/soak_bench.py [--seconds 60] [--concurrency 8] [--port 8765]

Bounds (refused otherwise): 127.0.0.1 only (the server binds there and the database must be
local), at most 32 concurrent clients, at most 600 seconds; the default is a 60 s run with 8.

It creates a throwaway database (``test_<name>`` of DATABASE_URL, dropped at the end), seeds
a company ``soak`` (one team, 16 weekly KPIs, an admin, an API token), starts gunicorn on it
(``kgiapp.settings``, gthread, 3 workers × 4 threads; Celery eager, so an import is analysed
and committed within its requests), and runs ``--concurrency`` clients, each logged in with
its own session, each picking at random (fixed seed):

- 40 % a page: the dashboard, the team page, a KPI page or the numbers grid (200 expected);
- 25 % a grid edit: one cell posted through htmx (200 with the saved cell);
- 15 % an import: a 10-value CSV uploaded, previewed and committed (ends on the batch, done);
- 20 % an API push: 10 values to ``POST /api/v1/soak/measurements`` (200).

Every write goes to cells nobody else writes (a global counter names KPI and week), with the
counter as the value, so at the end the database must hold exactly the values sent: the
consistency check compares the count, the sum and every value. Printed: requests per second
per kind and overall, p50/p95 milliseconds, errors (any other status or exception), drift.
"""
import argparse
import csv
import io
import itertools
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")
from local_server import deadline_barrier, port_free, run_together, start_gunicorn  # noqa: E402 (bench/)

KPIS = 16
BASE = date(2001, 1, 1)  # a Monday; cells go forward one week per 16 writes
PASSWORD = "soak-password-1"
MIX = [("page", 40), ("grid", 25), ("import", 15), ("api", 20)]


class Cells:
    """Hands out cells nobody else writes and remembers what was sent for each."""

    def __init__(self):
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.sent = {}

    def take(self, n):
        with self.lock:
            return [next(self.counter) for _ in range(n)]

    @staticmethod
    def cell(n):
        return f"k{n % KPIS:02d}", BASE + timedelta(weeks=n // KPIS)

    def confirm(self, numbers):
        with self.lock:
            for n in numbers:
                self.sent[self.cell(n)] = Decimal(n)


def seed():
    from django.contrib.auth import get_user_model

    from metrics.models import Kpi
    from teams.models import Company, Membership, Team, TeamMembership
    from teams.services import api_token_create

    company = Company.objects.create(slug="soak", name="Soak", language="en")
    team = Team.objects.create(company=company, slug="ops", name="Ops")
    admin = get_user_model().objects.create_user("soak-admin", password=PASSWORD)
    Membership.objects.create(company=company, user=admin, role="admin")
    TeamMembership.objects.create(team=team, user=admin, role="manager")
    ids = {}
    for i in range(KPIS):
        kpi = Kpi.objects.create(company=company, team=team, code=f"k{i:02d}", name_en=f"K{i}",
                                 name_ja=f"K{i}", unit="count", cadence="weekly",
                                 aggregation="sum")
        ids[kpi.code] = kpi.pk
    _token, raw = api_token_create(company=company, user=admin, name="soak")
    return ids, raw


class Client:
    """One logged-in browser (its own session) plus the API token."""

    def __init__(self, base, token, ids):
        import httpx

        self.http = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
        self.token, self.ids = token, ids
        page = self.http.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.http.post("/accounts/login/", data={
            "username": "soak-admin", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": base + "/accounts/login/"})
        if answer.status_code != 302:
            raise RuntimeError(f"login answered {answer.status_code}")
        self.base = base

    def _csrf(self):
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""),
                "Referer": self.base + "/soak/"}

    def page(self, rng, cells):
        path = rng.choice(["/soak/", "/soak/teams/ops/", f"/soak/kpis/k{rng.randrange(KPIS):02d}/",
                           "/soak/teams/ops/numbers/"])
        return self.http.get(path).status_code == 200

    def grid(self, rng, cells):
        (n,) = cells.take(1)
        code, period = cells.cell(n)
        answer = self.http.post("/soak/teams/ops/numbers/cell/", data={
            "kpi": self.ids[code], "period": period.isoformat(), "value": str(n)},
            headers={**self._csrf(), "HX-Request": "true"})
        ok = answer.status_code == 200 and answer.headers.get("HX-Trigger") == "numbers-saved"
        if ok:
            cells.confirm([n])
        return ok

    def import_(self, rng, cells):
        numbers = cells.take(10)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["kpi", "period", "value"])
        for n in numbers:
            code, period = cells.cell(n)
            writer.writerow([code, period.isoformat(), n])
        upload = self.http.post("/soak/numbers/import/", data={"layout": "numbers"},
                                files={"file": ("soak.csv", out.getvalue().encode(), "text/csv")},
                                headers=self._csrf())
        if upload.status_code != 302:
            return False
        preview = upload.headers["Location"]
        commit = self.http.post(preview.rstrip("/") + "/commit/", headers=self._csrf())
        if commit.status_code != 302:
            return False
        status = self.http.get(preview.rstrip("/") + "/status/")
        ok = status.status_code == 200
        if ok:
            cells.confirm(numbers)
        return ok

    def api(self, rng, cells):
        numbers = cells.take(10)
        items = []
        for n in numbers:
            code, period = cells.cell(n)
            items.append({"kpi": code, "period": period.isoformat(), "value": str(n)})
        answer = self.http.post("/api/v1/soak/measurements", json={"items": items},
                                headers={"Authorization": f"Bearer {self.token}"})
        ok = answer.status_code == 200
        if ok:
            cells.confirm(numbers)
        return ok


def run_clients(base, token, ids, *, concurrency, seconds, seed_value):
    cells = Cells()
    timings = defaultdict(list)
    errors = defaultdict(int)
    lock = threading.Lock()
    kinds = [k for k, w in MIX for _ in range(w)]
    # Everybody logs in first (gunicorn's workers load the app on their first requests);
    # the clock starts when all are ready.
    ready, deadline = deadline_barrier(concurrency, seconds)

    def worker(index):
        rng = random.Random(seed_value * 1000 + index)
        try:
            client = Client(base, token, ids)
        except Exception as exc:  # noqa: BLE001 - counted and shown
            print(f"  login: {type(exc).__name__}: {exc}", file=sys.stderr)
            with lock:
                errors["login"] += 1
            ready.wait()
            return
        ready.wait()
        actions = {"page": client.page, "grid": client.grid, "import": client.import_,
                   "api": client.api}
        while time.monotonic() < deadline[0]:
            kind = rng.choice(kinds)
            started = time.perf_counter()
            try:
                ok = actions[kind](rng, cells)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
                ok = False
                print(f"  {kind}: {type(exc).__name__}: {exc}", file=sys.stderr)
            elapsed = time.perf_counter() - started
            with lock:
                timings[kind].append(elapsed)
                if not ok:
                    errors[kind] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    return cells, timings, errors, run_together(threads, ready)


def check(cells):
    from metrics.models import Measurement

    stored = {(code, period): value for code, period, value in Measurement.objects.filter(
        company__slug="soak").values_list("kpi__code", "period_start", "value")}
    drift = sum(1 for cell, value in cells.sent.items() if stored.get(cell) != value)
    extra = len(set(stored) - set(cells.sent))
    return len(stored), sum(stored.values(), Decimal(0)), drift, extra


def report(cells, timings, errors, wall, stored):
    count, total, drift, extra = stored
    print(f"{'kind':<8}{'done':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    everything = []
    for kind, _weight in MIX:
        values = sorted(timings[kind])
        everything += values
        if not values:
            continue
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(f"{kind:<8}{len(values):>7}{len(values) / wall:>8.1f}"
              f"{statistics.median(values) * 1000:>9.0f}{p95 * 1000:>9.0f}{errors[kind]:>8}")
    everything.sort()
    p95 = everything[max(0, int(len(everything) * 0.95) - 1)] if everything else 0
    if errors.get("login"):
        print(f"{'login':<8}{'':>7}{'':>8}{'':>9}{'':>9}{errors['login']:>8}")
    print(f"{'all':<8}{len(everything):>7}{len(everything) / wall:>8.1f}"
          f"{statistics.median(everything or [0]) * 1000:>9.0f}{p95 * 1000:>9.0f}"
          f"{sum(errors.values()):>8}")
    sent_sum = sum(cells.sent.values(), Decimal(0))
    print(f"consistency: sent {len(cells.sent)} values (sum {sent_sum}), stored {count} "
          f"(sum {total}); {drift} differ, {extra} unexpected")
    return sum(errors.values()) == 0 and drift == 0 and extra == 0 and count == len(cells.sent)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 32:
        parser.error("--concurrency must be 1..32")
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be 1..600 (ten minutes at most)")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or urlsplit(url).hostname not in {"127.0.0.1",
                                                                       "localhost"}:
        parser.error("set DATABASE_URL to a PostgreSQL on 127.0.0.1")
    if not port_free(args.port):
        parser.error(f"port {args.port} is taken")

    import django

    os.environ.pop("REDIS_URL", None)  # Celery eager, page cache per process
    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True,
                                                   keepdb=False)
    server = None
    try:
        ids, token = seed()
        parts = urlsplit(url)
        env = {**os.environ, "DATABASE_URL": parts._replace(path="/" + test_name).geturl(),
               "DJANGO_SETTINGS_MODULE": "kgiapp.settings", "ALLOWED_HOSTS": "127.0.0.1",
               "DEBUG": "false"}
        env.pop("REDIS_URL", None)
        log = open("/tmp/soak-gunicorn.log", "wb")  # noqa: SIM115 - closed with the server
        server = start_gunicorn(args.port, [
            "--workers", str(args.workers), "--threads", "4", "--worker-class", "gthread",
            "--timeout", "60"], env=env, log=log)
        base = f"http://127.0.0.1:{args.port}"
        print(f"soak: {args.concurrency} clients × {args.seconds} s against gunicorn "
              f"({args.workers} workers × 4 threads) on {base}")
        cells, timings, errors, wall = run_clients(base, token, ids,
                                                   concurrency=args.concurrency,
                                                   seconds=args.seconds, seed_value=args.seed)
        ok = report(cells, timings, errors, wall, check(cells))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print("OK: 0 errors, 0 drift" if ok else "FAILED: errors or drift")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
