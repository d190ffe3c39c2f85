"""python manage.py seed_demo [--company SLUG]: a believable demo company; rerunning changes nothing."""
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from kgiapp.catalog_check import compile_stale_catalogs
from teams.demo import DEMO_PASSWORD
from teams.models import Role

# Each app seeds its own part, in dependency order; each step is idempotent.
STEPS = [
    "teams.demo.seed_company",
    "metrics.demo.seed_tree",
    "metrics.demo.seed_measurements",
    "okrs.demo.seed_okrs",
    "reviews.demo.seed_reviews",
    "customers.demo.seed_customers",
    "reviews.reforecast.demo.seed_reforecasts",
]


def run_steps(slug):
    company = None
    with transaction.atomic():
        for dotted in STEPS:
            module_name, func_name = dotted.rsplit(".", 1)
            func = getattr(import_module(module_name), func_name)
            company = func(slug) if company is None else func(company) or company
    return company


class Command(BaseCommand):
    help = "Create or refresh the demo company (teams, users per role, KPI tree, a year of data)."

    def add_arguments(self, parser):
        parser.add_argument("--company", default="demo", help="company URL name (default: demo)")

    def handle(self, *args, company, **options):
        # Summaries and review texts are stored in Japanese: never seed from an uncompiled catalog.
        compile_stale_catalogs()
        company_obj = run_steps(company)
        self.stdout.write(self.style.SUCCESS(f"Demo company “{company_obj.name}” at /{company}/"))
        self.stdout.write(f"Logins (password: {DEMO_PASSWORD}):")
        for role in Role.values:
            self.stdout.write(f"  {company}-{role}")
