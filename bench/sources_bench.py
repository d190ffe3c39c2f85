"""A 100,000-row SQL source run and a 100,000-row spreadsheet-URL run vs raw COPY (PostgreSQL).

    createdb -h 127.0.0.1 -U postgres kgi_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_bench .venv/bin/python bench/sources_bench.py

Same rows and KPIs as import_bench.py (700 weekly KPIs, long shape). The SQL source reads
them from a second database on the same server (``<name>_warehouse``, made and dropped
here); the URL source fetches them as a CSV from a local http.server. Each run is the whole
``source_run`` — fetch, read, map, check, upsert all or nothing, its ImportBatch — into an
empty table, best of ``BENCH_REPEAT`` (default 3); then a second run must change nothing.
Goal (as imports): each within 3× of COPY.
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from import_bench import REPEAT, clear, copy, setup  # noqa: E402  (sets Django up)

from metrics.sources.services import source_create, source_run  # noqa: E402
from tests.csv_server import CsvServer  # noqa: E402


def warehouse(rows):
    params = connection.settings_dict
    server = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    name = f"{params['NAME']}_warehouse"
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(f"{server}/{name}") as wh:
        wh.execute("CREATE TABLE facts (kpi text, period date, value numeric)")
        with wh.cursor().copy("COPY facts FROM STDIN") as out:
            for kpi, period, value in rows:
                out.write_row((kpi.code, period, value))
    return server, name


def timed_run(company, source, n):
    best = None
    for attempt in range(REPEAT):
        clear(company)
        started = time.perf_counter()
        run = source_run(source=source, key=f"bench:{attempt}:{time.time()}")
        elapsed = time.perf_counter() - started
        assert run.status == "done" and run.new_count == n, (run.status, run.error[:300])
        best = elapsed if best is None else min(best, elapsed)
    again = source_run(source=source, key=f"bench:again:{time.time()}")
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, n)
    return best


def main():
    assert connection.vendor == "postgresql", "PostgreSQL only"
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    company, admin, rows = setup()
    n = len(rows)
    t_copy = None
    for _ in range(REPEAT):
        clear(company)
        t = copy(company, rows)
        t_copy = t if t_copy is None else min(t_copy, t)
    server, name = warehouse(rows)
    company.sources.all().delete()
    sql, _secret = source_create(company=company, owner=admin, name="bench sql", kind="sql",
                                 dsn=f"{server}/{name}",
                                 query="SELECT kpi, period, value FROM facts")
    body = ("kpi,period,value\r\n" + "".join(f"{k.code},{p.isoformat()},{v}\r\n"
                                             for k, p, v in rows)).encode()
    http = CsvServer(body, path="/facts.csv")
    url, _secret = source_create(company=company, owner=admin, name="bench url", kind="url",
                                 url=http.url)
    try:
        t_sql = timed_run(company, sql, n)
        t_url = timed_run(company, url, n)
    finally:
        http.close()
        with psycopg.connect(server + "/postgres", autocommit=True) as admin_db:
            admin_db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        clear(company)
    print(f"{n:,} rows, best of {REPEAT}: COPY {t_copy:.2f} s ({n / t_copy:,.0f} rows/s); "
          f"SQL source {t_sql:.2f} s ({n / t_sql:,.0f} rows/s); "
          f"URL source {t_url:.2f} s ({n / t_url:,.0f} rows/s)")
    print(f"ratios to COPY: SQL source {t_sql / t_copy:.1f}×  URL source {t_url / t_copy:.1f}×"
          f"  (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
