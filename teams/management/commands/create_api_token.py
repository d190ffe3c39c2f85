"""python manage.py create_api_token --company SLUG --user USERNAME [--name NAME]

Prints the raw token once; only its hash is stored.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from teams.models import Company
from teams.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a member of a company and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="company URL name")
        parser.add_argument("--user", required=True, help="username of a member")
        parser.add_argument("--name", default="cli", help="a label for the token")
        parser.add_argument("--days", type=int, default=None,
                            help="valid for this many days (default: until revoked)")

    def handle(self, *args, company, user, name, days=None, **options):
        company_obj = Company.objects.filter(slug=company).first()
        if company_obj is None:
            raise CommandError(f"No company {company!r}.")
        user_obj = get_user_model().objects.filter(username=user).first()
        if user_obj is None:
            raise CommandError(f"No user {user!r}.")
        try:
            _token, raw = api_token_create(company=company_obj, user=user_obj, name=name,
                                          expires_in_days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
        self.stderr.write("Store this token now; it is not shown again.")
