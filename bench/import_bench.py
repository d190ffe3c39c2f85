"""100,000 measurement rows through the product's import path vs PostgreSQL COPY vs
django-import-export, on PostgreSQL. Prints rows/s for each; the ratios are the last line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_bench \\
        /work/benchvenv/bin/python bench/import_bench.py

The product path is the one a person's upload takes: ``import_batch_create`` (the kept
file), ``import_analyze`` (the preview: read, map, check, count) and ``import_commit``
(read and check again, permission, upsert all or nothing, revisions, computed KPIs), as
an admin of the company. The figure compared with COPY is the commit (what the Celery
worker does); preview + commit is printed too. Each of the product and COPY runs is the
best of ``BENCH_REPEAT`` (default 3), because a shared machine is noisy.

django-import-export is installed only in the bench venv (requirements-bench.txt;
without it that column is skipped). It runs ``BENCH_IEX_ROWS`` rows (default 10,000: at
its speed 100,000 would take tens of minutes) in two configurations — its defaults as an
admin import would use them, and its documented fast settings (bulk, no diff) — and the
ratio uses the faster one. Goal: product within 3× of COPY and ≥ 20× faster than
django-import-export.
"""
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from metrics.imports import import_analyze, import_batch_create, import_commit  # noqa: E402
from metrics.models import ImportBatch, ImportStatus, Kpi, Measurement  # noqa: E402
from teams.models import Company, Membership, Role  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
IEX_ROWS = int(os.environ.get("BENCH_IEX_ROWS", 10_000))
REPEAT = int(os.environ.get("BENCH_REPEAT", 3))
KPIS, FIRST = 700, date(2020, 1, 6)


def setup():
    company, _ = Company.objects.get_or_create(slug="bench-import",
                                               defaults={"name": "Bench import"})
    admin, _ = get_user_model().objects.get_or_create(username="bench-import-admin")
    Membership.objects.get_or_create(company=company, user=admin, defaults={"role": Role.ADMIN})
    Kpi.objects.bulk_create([Kpi(company=company, code=f"b{k:03d}", name_ja=f"指標{k}",
                                 name_en=f"KPI {k}", unit="count", cadence="weekly")
                             for k in range(KPIS)], ignore_conflicts=True)
    kpis = list(Kpi.objects.filter(company=company, code__startswith="b").order_by("code"))
    weeks = ROWS // len(kpis) + 1
    rows = []
    for kpi in kpis:
        for w in range(weeks):
            rows.append((kpi, FIRST + timedelta(weeks=w), 1000 + (w * 7 + len(rows)) % 5000))
    return company, admin, rows[:ROWS]


def clear(company):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_measurementrevision WHERE measurement_id IN "
                       "(SELECT id FROM metrics_measurement WHERE company_id = %s)", [company.pk])
        cursor.execute("DELETE FROM metrics_measurement WHERE company_id = %s", [company.pk])
    ImportBatch.objects.filter(company=company).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE metrics_measurement")


def product(company, admin, rows):
    """(preview seconds, commit seconds) of one upload; checks a re-import changes nothing."""
    data = ("kpi,period,value\r\n" + "".join(f"{k.code},{p.isoformat()},{v}\r\n"
                                             for k, p, v in rows)).encode()

    def upload():
        batch = import_batch_create(company=company, user=admin, filename="bench.csv",
                                    data=data, language="en")
        started = time.perf_counter()
        batch = import_analyze(batch=batch)
        previewed = time.perf_counter()
        assert batch.status == ImportStatus.READY, batch.problems[:3]
        batch = import_commit(batch_id=batch.pk)
        committed = time.perf_counter()
        assert batch.status == ImportStatus.DONE, batch.problems[:3]
        return batch, previewed - started, committed - previewed

    batch, t_preview, t_commit = upload()
    assert batch.new_count == len(rows), batch.new_count
    again, _p, _c = upload()
    assert (again.unchanged_count, again.new_count, again.changed_count) == (len(rows), 0, 0)
    assert Measurement.objects.filter(company=company).count() == len(rows)
    return t_preview, t_commit


def copy(company, rows):
    now = timezone.now().isoformat()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy("COPY metrics_measurement (company_id, kpi_id, period_start, value, "
                         "source, updated_at) FROM STDIN") as copy_:
            for kpi, period, value in rows:
                copy_.write_row((company.pk, kpi.pk, period, value, "import", now))
    elapsed = time.perf_counter() - started
    assert Measurement.objects.filter(company=company).count() == len(rows)
    return elapsed


def import_export(company, rows, *, fast):
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
    for kpi, period, value in rows:
        data.append([kpi.code, period.isoformat(), value, company.pk, "import"])
    started = time.perf_counter()
    result = MeasurementResource().import_data(data, dry_run=False)
    elapsed = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors()
    assert Measurement.objects.filter(company=company).count() == len(rows)
    return elapsed


def rate(n, seconds):
    return f"{n / seconds:>9,.0f} rows/s ({seconds:.2f} s)"


def main():
    if connection.vendor != "postgresql":
        sys.exit("run on PostgreSQL: set DATABASE_URL=postgres://…")
    company, admin, rows = setup()
    n = len(rows)
    previews, commits, copies = [], [], []
    for _ in range(REPEAT):
        clear(company)
        t_preview, t_commit = product(company, admin, rows)
        previews.append(t_preview)
        commits.append(t_commit)
        clear(company)
        copies.append(copy(company, rows))
    iex_rows = rows[:IEX_ROWS]
    clear(company)
    t_iex = import_export(company, iex_rows, fast=False)
    clear(company)
    t_iex_fast = import_export(company, iex_rows, fast=True)
    clear(company)
    t_commit, t_copy = min(commits), min(copies)
    t_full = min(p + c for p, c in zip(previews, commits))
    print(f"rows: {n:,}; best of {REPEAT}; PostgreSQL {connection.pg_version // 10000}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"product commit (read + check + upsert + computed), worker: {rate(n, t_commit)}")
    print(f"product upload → preview → commit:                       {rate(n, t_full)}")
    print(f"PostgreSQL COPY:                                          {rate(n, t_copy)}")
    if t_iex is None:
        print("django-import-export: not installed (see requirements-bench.txt)")
        print(f"ratios: product commit takes {t_commit / t_copy:.1f}x COPY's time; "
              "import-export n/a")
        return
    m = len(iex_rows)
    print(f"django-import-export, defaults ({m:,} rows):              {rate(m, t_iex)}")
    print(f"django-import-export, bulk + no diff ({m:,} rows):        {rate(m, t_iex_fast)}")
    best_iex = m / min(t_iex, t_iex_fast)
    print(f"ratios: product commit takes {t_commit / t_copy:.1f}x COPY's time; "
          f"{(n / t_commit) / best_iex:.0f}x faster than django-import-export at its fastest "
          f"({(n / t_commit) / (m / t_iex):.0f}x its defaults)")


if __name__ == "__main__":
    main()
