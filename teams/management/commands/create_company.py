"""python manage.py create_company --slug acme --name "Acme" --admin-username alice
   --admin-email alice@example.com [--language ja] [--timezone Asia/Tokyo]

For scripted installs. The admin account is created when it does not exist, with the
password from the environment variable KGI_ADMIN_PASSWORD (never a command-line argument,
which other users of the machine can read); without it the account has no usable password
and the command prints a one-time link (from SITE_URL) where its owner sets one.
"""
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from teams.forms import CompanyCreateForm
from teams.services import company_create


class Command(BaseCommand):
    help = "Create a company and its first admin (for scripted installs)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="URL name, e.g. acme")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--language", default="ja")
        parser.add_argument("--timezone", default="Asia/Tokyo")
        parser.add_argument("--instance-admin", action="store_true",
                            help="also make the admin an instance admin (superuser)")

    def handle(self, *args, **options):
        form = CompanyCreateForm({
            "name": options["name"], "slug": options["slug"],
            "language": options["language"], "timezone": options["timezone"],
        })
        if not form.is_valid():
            raise CommandError("; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
        User = get_user_model()
        password = os.environ.get("KGI_ADMIN_PASSWORD") or None
        try:
            with transaction.atomic():
                user = User.objects.filter(username=options["admin_username"]).first()
                created = user is None
                if created:
                    user = User.objects.create_user(
                        username=options["admin_username"], email=options["admin_email"],
                        password=password)
                if options["instance_admin"] and not user.is_superuser:
                    user.is_superuser = user.is_staff = True
                    user.save(update_fields=["is_superuser", "is_staff"])
                company = company_create(
                    slug=form.cleaned_data["slug"], name=form.cleaned_data["name"], admin=user,
                    language=form.cleaned_data["language"],
                    timezone_name=form.cleaned_data["timezone"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Created company {company.slug} with admin {user.get_username()}.")
        if created and password is None:
            self.stdout.write("The admin has no password yet; open this link once to set it "
                              "(or use “Forgot your password?” on the login page):")
            self.stdout.write(set_password_link(user))


def set_password_link(user) -> str:
    """A one-time link to the password reset form for ``user``, built from SITE_URL."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
