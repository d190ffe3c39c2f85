"""python manage.py import_measurements --company SLUG FILE [--dry-run]: the web import, for jobs.

Exit 0 with a summary when every value is stored (or would be, with --dry-run); otherwise
exit 1, print every problem (row, column, reason) and change nothing.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from metrics.import_stream import import_stream
from metrics.imports import analyze_file, company_kpis, kpi_refs
from metrics.measurements import MeasurementError, measurements_bulk_upsert
from metrics.models import Source
from teams.models import Company


class Command(BaseCommand):
    help = "Import a CSV/XLSX of measurements for a company, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="company URL name")
        parser.add_argument("file", help="CSV or XLSX file (wide, long or KPI-per-row shape)")
        parser.add_argument("--dry-run", action="store_true", help="check and count only")

    def handle(self, *args, company, file, dry_run, **options):
        company_obj = Company.objects.filter(slug=company).first()
        if company_obj is None:
            raise CommandError(f"no company {company!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file!r}")
        if connection.vendor == "postgresql":  # streamed: the file is never loaded whole
            kpis = company_kpis(company_obj)
            result = analysis = import_stream(
                company=company_obj, kpis=kpis, refs=kpi_refs(kpis), filename=path.name,
                opener=lambda: path.open("rb"), size=path.stat().st_size, write=not dry_run)
            problems = analysis.problems or analysis.error_problems
            count = analysis.record_count
        else:
            analysis = analyze_file(company=company_obj, filename=path.name,
                                    data=path.read_bytes())
            problems, result, count = analysis.problems, None, len(analysis.entries)
        if not problems and result is None:
            try:
                result = measurements_bulk_upsert(company=company_obj, entries=analysis.entries,
                                                  source=Source.IMPORT, dry_run=dry_run)
            except MeasurementError as refused:
                problems = [{"row": e.ref[0] if isinstance(e.ref, tuple) else None,
                             "column": e.ref[1] if isinstance(e.ref, tuple) else None,
                             "message": e.message} for e in refused.errors]
        if problems:
            for p in problems:
                row = p["row"] if p["row"] is not None else "-"
                column = p["column"] if p["column"] is not None else "-"
                self.stderr.write(f"row {row}, column {column}: {p['message']}")
            raise CommandError(f"{len(problems)} problem(s); nothing was imported")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(
            f"{path.name} ({analysis.file_format}, {analysis.encoding or '-'}, {analysis.shape}): "
            f"{verb} {count} values — {result.new} new, {result.changed} changed, "
            f"{result.unchanged} unchanged, {result.computed} computed"))
