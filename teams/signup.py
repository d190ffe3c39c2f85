"""Who may create a company on this instance, and the first run of a fresh install.

On a fresh install (no company yet) the first visitor creates the instance admin and the
first company. Afterwards ``settings.SIGNUP_OPEN`` decides whether anyone may sign up and
create a company; instance admins (superusers) always may. Otherwise people join by
invitation only.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from teams.models import Company
from teams.services import company_create, display_name_clean

# Any constant works; it only has to be the same for every process of this instance.
_FIRST_RUN_LOCK = 0x6B676931


def is_fresh_install() -> bool:
    """True while the instance has no company at all."""
    return not Company.objects.exists()


def may_create_company(user) -> bool:
    """Whether this visitor may create a company now."""
    if is_fresh_install():
        return True
    if user.is_authenticated and user.is_superuser:
        return True
    return bool(settings.SIGNUP_OPEN)


def _lock_first_run():
    # Two first visitors at once must not both become instance admin.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FIRST_RUN_LOCK])


def signup_create_company(*, user=None, username=None, email=None, password=None,
                          slug, name, language, timezone_name, display_name=""):
    """Create the account (unless ``user`` is given) and a company it administers.

    The first company of a fresh install makes its creator the instance admin (superuser).
    Refuses with a ValidationError when sign-up is closed.
    """
    with transaction.atomic():
        _lock_first_run()
        fresh = is_fresh_install()
        if not fresh and not (user is not None and user.is_superuser) \
                and not settings.SIGNUP_OPEN:
            raise ValidationError(
                _("Sign-up is closed on this instance. Ask an admin of your company for an "
                  "invitation."))
        if user is None:
            user = get_user_model().objects.create_user(
                username=username, email=email, password=password,
                first_name=display_name_clean(display_name))
        if fresh and not user.is_superuser:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        company = company_create(slug=slug, name=name, admin=user, language=language,
                                 timezone_name=timezone_name)
    return user, company
