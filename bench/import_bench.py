"""Measurement rows through the product's import path vs PostgreSQL COPY (and, optionally,
django-import-export), on PostgreSQL, with each phase's peak memory. Ratios are the last lines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_bench \\
        .venv/bin/python bench/import_bench.py --rows 100000,300000,1000000 --skip-import-export

The product path is the one a person's upload takes: ``import_batch_create`` (the kept
file), ``import_analyze`` (the preview: read, map, check, count) and ``import_commit``
(read and check again, permission, upsert all or nothing, revisions, computed KPIs, facts),
as an admin of the company. The figure compared with COPY is the commit (what the Celery
worker does); preview + commit is printed too. The preview and the commit each run in a
fresh Python process, like a worker, which prints its time and its peak RSS
(``VmHWM``, else ``resource.getrusage``); an idle process's RSS (Django loaded, connected) is printed
beside it, so what an import adds is the difference. ``--tracemalloc`` runs each phase once
more under tracemalloc and prints the peak of Python allocations (those runs are not timed).
COPY writes the same rows straight into ``metrics_measurement`` in the same run. Each
product and COPY figure is the best of ``--repeat`` (default 3; a shared machine is noisy);
the load average is printed beside each size.

django-import-export is installed only in the bench venv (requirements-bench.txt;
without it, or with ``--skip-import-export``, that column is skipped). It runs
``--iex-rows`` rows (default 10,000) in two configurations — its defaults as an admin
import would use them, and its documented fast settings (bulk, no diff) — and the ratio
uses the faster one. Goals: product commit within 2× of COPY with memory flat in rows.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from metrics.imports import import_analyze, import_batch_create, import_commit  # noqa: E402
from metrics.models import ImportBatch, ImportStatus, Kpi, Measurement  # noqa: E402
from teams.models import Company, Membership, Role  # noqa: E402

KPIS, FIRST = 700, date(2020, 1, 6)
COPY_COMMITS = []  # seconds of each COPY's transaction commit (its deferred foreign keys)


def setup():
    company, _ = Company.objects.get_or_create(slug="bench-import",
                                               defaults={"name": "Bench import"})
    admin, _ = get_user_model().objects.get_or_create(username="bench-import-admin")
    Membership.objects.get_or_create(company=company, user=admin, defaults={"role": Role.ADMIN})
    Kpi.objects.bulk_create([Kpi(company=company, code=f"b{k:03d}", name_ja=f"指標{k}",
                                 name_en=f"KPI {k}", unit="count", cadence="weekly")
                             for k in range(KPIS)], ignore_conflicts=True)
    kpis = list(Kpi.objects.filter(company=company, code__startswith="b").order_by("code"))
    return company, admin, kpis


def rows(kpis, n):
    """(kpi, period, value) × n, generated (the bench holds no list of rows)."""
    weeks = n // len(kpis) + 1
    index = 0
    for kpi in kpis:
        for w in range(weeks):
            if index == n:
                return
            yield kpi, FIRST + timedelta(weeks=w), 1000 + (w * 7 + index) % 5000
            index += 1


def csv_bytes(kpis, n) -> bytes:
    return ("kpi,period,value\r\n" + "".join(f"{k.code},{p.isoformat()},{v}\r\n"
                                             for k, p, v in rows(kpis, n))).encode()


def clear(company):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_measurementrevision WHERE measurement_id IN "
                       "(SELECT id FROM metrics_measurement WHERE company_id = %s)", [company.pk])
        cursor.execute("DELETE FROM metrics_measurement WHERE company_id = %s", [company.pk])
    ImportBatch.objects.filter(company=company).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE metrics_measurement")
        cursor.execute("VACUUM ANALYZE metrics_importbatch")


def phase(name, batch_id=0, *, traced=False):
    """Run one phase in a fresh process (like a worker): {"seconds", "rss_mb", "traced_mb"}."""
    command = [sys.executable, __file__, "--phase", name, "--batch", str(batch_id)]
    if traced:
        command.append("--tracemalloc")
    env = {**os.environ, "IMPORT_MAX_ROWS": str(settings.IMPORT_MAX_ROWS)}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"the {name} phase failed:\n{done.stderr}")
    out = done.stdout
    return json.loads(out.strip().splitlines()[-1])


def run_phase(name, batch_id, traced):
    """The child's side of ``phase``."""
    if traced:
        import tracemalloc

        tracemalloc.start()
    import metrics.imports

    steps = {}
    store = metrics.imports._store_streamed

    def keep_timings(batch, streamed):
        steps.update(streamed.timings)
        store(batch, streamed)

    metrics.imports._store_streamed = keep_timings
    commit = connection.commit

    def timed_commit():  # the transaction's end: PostgreSQL checks the deferred foreign keys
        began = time.perf_counter()
        commit()
        steps["transaction commit"] = steps.get("transaction commit", 0) + (
            time.perf_counter() - began)

    connection.commit = timed_commit
    connection.ensure_connection()
    started = time.perf_counter()
    if name == "preview":
        batch = ImportBatch.objects.select_related("company").defer("data").get(pk=batch_id)
        batch = import_analyze(batch=batch)
        assert batch.status == ImportStatus.READY, batch.problems[:3]
    elif name == "commit":
        batch = import_commit(batch_id=batch_id)
        assert batch.status == ImportStatus.DONE, batch.problems[:3]
    elapsed = time.perf_counter() - started
    traced_mb = None
    if traced:
        import tracemalloc

        traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps({"seconds": elapsed, "traced_mb": traced_mb, "steps": steps,
                      "rss_mb": peak_rss_mb()}))


def peak_rss_mb():
    """This process's peak RSS. Linux: VmHWM, which starts again at exec (``ru_maxrss`` keeps
    the high-water mark of the forked parent, the bench with its generated file)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def product(company, admin, data, n, *, reimport, traced):
    """The upload → preview → commit of one file, its phases in fresh processes."""

    def upload():
        batch = import_batch_create(company=company, user=admin, filename="bench.csv",
                                    data=data, language="en")
        preview = phase("preview", batch.pk)
        commit = phase("commit", batch.pk)
        return ImportBatch.objects.defer("data").get(pk=batch.pk), preview, commit

    batch, preview, commit = upload()
    assert batch.new_count == n, batch.new_count
    assert Measurement.objects.filter(company=company).count() == n
    if reimport:
        again, _p, _c = upload()
        assert (again.unchanged_count, again.new_count, again.changed_count) == (n, 0, 0)
    if traced:
        clear(company)
        batch = import_batch_create(company=company, user=admin, filename="bench.csv",
                                    data=data, language="en")
        preview["traced_mb"] = phase("preview", batch.pk, traced=True)["traced_mb"]
        commit["traced_mb"] = phase("commit", batch.pk, traced=True)["traced_mb"]
    return preview, commit


def copy(company, admin, kpis, n):
    """COPY the rows the product's commit writes, every column it fills (``entered_by`` too:
    one more deferred foreign-key check a row at the commit), in one transaction."""
    now = timezone.now().isoformat()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy("COPY metrics_measurement (company_id, kpi_id, period_start, value, "
                         "source, entered_by_id, updated_at) FROM STDIN") as copy_:
            for kpi, period, value in rows(kpis, n):
                copy_.write_row((company.pk, kpi.pk, period, value, "import", admin.pk, now))
        copied = time.perf_counter()
    elapsed = time.perf_counter() - started
    COPY_COMMITS.append(elapsed - (copied - started))
    assert Measurement.objects.filter(company=company).count() == n
    return elapsed


def import_export(company, kpis, n, *, fast):
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        return None

    class CompanyKpiWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return Kpi.objects.filter(company=company)

    class MeasurementResource(resources.ModelResource):
        kpi = fields.Field(attribute="kpi", column_name="kpi",
                           widget=CompanyKpiWidget(Kpi, field="code"))

        class Meta:
            model = Measurement
            fields = ("kpi", "period_start", "value", "company", "source")
            import_id_fields = ("kpi", "period_start")
            use_transactions = True
            if fast:  # the settings its documentation gives for large imports
                use_bulk, batch_size, skip_diff, skip_html_diff = True, 1000, True, True
            else:
                skip_unchanged = True

    data = tablib.Dataset(headers=["kpi", "period_start", "value", "company", "source"])
    for kpi, period, value in rows(kpis, n):
        data.append([kpi.code, period.isoformat(), value, company.pk, "import"])
    started = time.perf_counter()
    result = MeasurementResource().import_data(data, dry_run=False)
    elapsed = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors()
    assert Measurement.objects.filter(company=company).count() == n
    return elapsed


def rate(n, seconds):
    return f"{n / seconds:>9,.0f} rows/s ({seconds:.2f} s)"


def load():
    return f"load {os.getloadavg()[0]:.1f}"


def one_size(company, admin, kpis, n, args):
    data = csv_bytes(kpis, n)
    previews, copies = [], []
    COPY_COMMITS.clear()
    for _ in range(args.repeat):
        clear(company)
        previews.append(product(company, admin, data, n, reimport=not args.skip_reimport,
                                traced=args.tracemalloc and not previews))
        clear(company)
        copies.append(copy(company, admin, kpis, n))
    clear(company)
    del data
    commit = min((c for _p, c in previews), key=lambda c: c["seconds"])
    full = min(p["seconds"] + c["seconds"] for p, c in previews)
    t_copy = min(copies)
    idle = phase("idle")
    rss = (f"peak RSS preview {max(p['rss_mb'] for p, _c in previews):.0f} MB, commit "
           f"{max(c['rss_mb'] for _p, c in previews):.0f} MB (idle worker {idle['rss_mb']:.0f} MB)")
    traced = [(p.get("traced_mb"), c.get("traced_mb")) for p, c in previews
              if c.get("traced_mb") is not None]
    if traced:
        rss += f"; tracemalloc peak preview {traced[0][0]:.1f} MB, commit {traced[0][1]:.1f} MB"
    print(f"rows: {n:,}; best of {args.repeat}; PostgreSQL {connection.pg_version // 10000}; "
          f"{load()} on {os.cpu_count()} CPUs")
    print(f"  product commit (read + check + upsert + computed + facts), worker: "
          f"{rate(n, commit['seconds'])}")
    print(f"  product upload → preview → commit:                               {rate(n, full)}")
    print(f"  PostgreSQL COPY:                                                  {rate(n, t_copy)}"
          f"; its transaction commit {COPY_COMMITS[copies.index(t_copy)]:.2f} s")
    print(f"  memory: {rss}")
    steps = ", ".join(f"{step} {seconds:.2f}" for step, seconds in commit["steps"].items())
    print(f"  commit steps (s): {steps}; the rest (KPIs, locks, saving the batch) "
          f"{commit['seconds'] - sum(commit['steps'].values()):.2f}")
    print(f"  ratio: product commit takes {commit['seconds'] / t_copy:.2f}x COPY's time "
          f"({n:,} rows, {load()})", flush=True)
    return commit["seconds"], t_copy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default=os.environ.get("BENCH_ROWS", "100000"),
                        help="rows per file; several sizes comma-separated (100000,300000)")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 3)))
    parser.add_argument("--iex-rows", type=int,
                        default=int(os.environ.get("BENCH_IEX_ROWS", 10_000)))
    parser.add_argument("--skip-import-export", action="store_true")
    parser.add_argument("--skip-reimport", action="store_true",
                        help="do not import each file a second time (checks 'unchanged')")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return run_phase(args.phase, args.batch, args.tracemalloc)
    if connection.vendor != "postgresql":
        sys.exit("run on PostgreSQL: set DATABASE_URL=postgres://…")
    sizes = [int(size) for size in args.rows.split(",")]
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, max(sizes))
    company, admin, kpis = setup()
    results = [(n, *one_size(company, admin, kpis, n, args)) for n in sizes]
    if args.skip_import_export:
        print("django-import-export: skipped (--skip-import-export)")
    else:
        m = args.iex_rows
        clear(company)
        t_iex = import_export(company, kpis, m, fast=False)
        clear(company)
        t_iex_fast = import_export(company, kpis, m, fast=True)
        clear(company)
        if t_iex is None:
            print("django-import-export: not installed (see requirements-bench.txt)")
        else:
            n, t_commit, _t_copy = results[0]
            best_iex = m / min(t_iex, t_iex_fast)
            print(f"django-import-export, defaults ({m:,} rows):          {rate(m, t_iex)}")
            print(f"django-import-export, bulk + no diff ({m:,} rows):    {rate(m, t_iex_fast)}")
            print(f"product commit ({n:,} rows) is {(n / t_commit) / best_iex:.0f}x faster than "
                  f"django-import-export at its fastest ({(n / t_commit) / (m / t_iex):.0f}x "
                  "its defaults)")
    print("ratios: " + "; ".join(f"{n:,} rows {c / k:.2f}x COPY" for n, c, k in results)
          + f" ({load()})")


if __name__ == "__main__":
    main()
