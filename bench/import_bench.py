"""100,000 measurement rows through the product's import path vs PostgreSQL COPY vs
django-import-export, on PostgreSQL. Prints rows/s for each; the ratios are the last line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kgi_bench .venv/bin/python bench/import_bench.py

django-import-export is for this benchmark only (requirements-bench.txt); without it that
column is skipped. Goal: product within 3× of COPY and ≥ 20× faster than django-import-export.
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

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from kgiapp.models import Company  # noqa: E402
from metrics.imports import analyze_file  # noqa: E402
from metrics.measurements import measurements_bulk_upsert  # noqa: E402
from metrics.models import Kpi, Measurement, Source  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
IEX_ROWS = int(os.environ.get("BENCH_IEX_ROWS", 10_000))  # extrapolated: it is very slow
KPIS, FIRST = 700, date(2020, 1, 6)


def setup():
    company, _ = Company.objects.get_or_create(slug="bench-import",
                                               defaults={"name": "Bench import"})
    Kpi.objects.bulk_create([Kpi(company=company, code=f"b{k:03d}", name_ja=f"指標{k}",
                                 name_en=f"KPI {k}", unit="count", cadence="weekly")
                             for k in range(KPIS)], ignore_conflicts=True)
    kpis = list(Kpi.objects.filter(company=company, code__startswith="b").order_by("code"))
    weeks = ROWS // len(kpis) + 1
    rows = []
    for kpi in kpis:
        for w in range(weeks):
            rows.append((kpi, FIRST + timedelta(weeks=w), 1000 + (w * 7 + len(rows)) % 5000))
    return company, rows[:ROWS]


def clear(company):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_measurementrevision WHERE measurement_id IN "
                       "(SELECT id FROM metrics_measurement WHERE company_id = %s)", [company.pk])
        cursor.execute("DELETE FROM metrics_measurement WHERE company_id = %s", [company.pk])


def product(company, rows):
    csv = "kpi,period,value\r\n" + "".join(f"{k.code},{p.isoformat()},{v}\r\n"
                                           for k, p, v in rows)
    started = time.perf_counter()
    analysis = analyze_file(company=company, filename="bench.csv", data=csv.encode())
    assert not analysis.problems, analysis.problems[:3]
    result = measurements_bulk_upsert(company=company, entries=analysis.entries,
                                      source=Source.IMPORT)
    elapsed = time.perf_counter() - started
    assert result.new == len(rows), result
    again = measurements_bulk_upsert(company=company, entries=analysis.entries,
                                     source=Source.IMPORT)
    assert again.unchanged == len(rows) and again.changed == 0
    return elapsed


def copy(company, rows):
    now = timezone.now().isoformat()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy("COPY metrics_measurement (company_id, kpi_id, period_start, value, "
                         "source, updated_at) FROM STDIN") as copy_:
            for kpi, period, value in rows:
                copy_.write_row((company.pk, kpi.pk, period, value, "import", now))
    return time.perf_counter() - started


def import_export(company, rows):
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        return None

    class MeasurementResource(resources.ModelResource):
        kpi = fields.Field(attribute="kpi", column_name="kpi",
                           widget=widgets.ForeignKeyWidget(Kpi, field="code"))

        class Meta:
            model = Measurement
            fields = ("kpi", "period_start", "value", "company")
            import_id_fields = ("kpi", "period_start")
            use_transactions = True
            skip_unchanged = True

    data = tablib.Dataset(headers=["kpi", "period_start", "value", "company"])
    for kpi, period, value in rows:
        data.append([kpi.code, period.isoformat(), value, company.pk])
    started = time.perf_counter()
    result = MeasurementResource().import_data(data, dry_run=False)
    assert not result.has_errors()
    return time.perf_counter() - started


def main():
    if connection.vendor != "postgresql":
        sys.exit("run on PostgreSQL: set DATABASE_URL=postgres://…")
    company, rows = setup()
    clear(company)
    t_product = product(company, rows)
    clear(company)
    t_copy = copy(company, rows)
    clear(company)
    iex_rows = rows[:IEX_ROWS]
    t_iex = import_export(company, iex_rows)
    clear(company)
    n = len(rows)
    print(f"rows: {n:,}")
    print(f"product import path (read + check + upsert + revisions): {n / t_product:,.0f} rows/s "
          f"({t_product:.2f} s)")
    print(f"PostgreSQL COPY:                                        {n / t_copy:,.0f} rows/s "
          f"({t_copy:.2f} s)")
    if t_iex is None:
        print("django-import-export: not installed (pip install -r requirements-bench.txt)")
        print(f"ratios: COPY/product {t_product / t_copy:.1f}x slower; import-export n/a")
    else:
        iex_rate = len(iex_rows) / t_iex
        print(f"django-import-export ({len(iex_rows):,} rows):             {iex_rate:,.0f} rows/s "
              f"({t_iex:.2f} s)")
        print(f"ratios: product is {t_product / t_copy:.1f}x COPY's time; "
              f"{(n / t_product) / iex_rate:.0f}x faster than django-import-export")


if __name__ == "__main__":
    main()
