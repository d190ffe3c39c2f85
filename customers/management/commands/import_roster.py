"""python manage.py import_roster --company SLUG --team TEAM FILE [--dry-run]

Same rules as the web import: every problem is printed, the exit code is non-zero and
nothing changes when there is any problem; warnings (missing NPS, unknown status words)
are printed and the roster is imported anyway.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers import services as cs_services
from teams.models import Company, Team


class Command(BaseCommand):
    help = "Import a customer roster (CSV/XLSX, UTF-8 or cp932) into a team."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--company", required=True)
        parser.add_argument("--team", required=True)
        parser.add_argument("--dry-run", action="store_true",
                            help="check and report, change nothing")

    def handle(self, *args, file, company, team, dry_run, **options):
        company_obj = Company.objects.filter(slug=company).first()
        if company_obj is None:
            raise CommandError(f"no company {company!r}")
        team_obj = Team.objects.filter(company=company_obj, slug=team).first()
        if team_obj is None:
            raise CommandError(f"no team {team!r} in {company!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        # The preview row itself is rolled back on a dry run or a problem: nothing changes.
        with transaction.atomic():
            batch = cs_services.roster_import_preview(
                company=company_obj, team=team_obj, user=None, data=path.read_bytes(),
                filename=path.name)
            for warning in batch.warnings:
                self.stderr.write(self._line("warning", warning))
            if batch.problems:
                for problem in batch.problems:
                    self.stderr.write(self._line("problem", problem))
                transaction.set_rollback(True)
                raise CommandError(f"{len(batch.problems)} problem(s); nothing was imported")
            summary = batch.summary
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write(f"dry run: {summary['created']} new, {summary['updated']} "
                                  f"updated, {summary['unchanged']} unchanged; nothing changed")
                return
            batch = cs_services.roster_import_commit(roster_import=batch, user=None)
        summary = batch.summary
        self.stdout.write(self.style.SUCCESS(
            f"imported: {summary['created']} new, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged, {len(batch.warnings)} warning(s)"))

    @staticmethod
    def _line(kind, item):
        where = f"row {item['row']}" if item.get("row") else "file"
        if item.get("column"):
            where += f", {item['column']}"
        return f"{kind}: {where}: {item['message']} [{item['code']}]"
