"""The Japanese catalog must be compiled before anything runs: the .mo is built, not committed.

Without it every page is English for a Japanese company, and the demo seed stores English
review summaries for good. ``check --deploy`` (the release step) fails on the warning below;
``seed_demo`` compiles a missing or stale catalog first.
"""
from pathlib import Path

from django.conf import settings
from django.core import checks


def stale_catalogs() -> list[Path]:
    """Every ``django.po`` under LOCALE_PATHS whose ``django.mo`` is missing or older."""
    stale = []
    for root in settings.LOCALE_PATHS:
        for po in sorted(Path(root).glob("*/LC_MESSAGES/django.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


def compile_stale_catalogs() -> bool:
    """Compile what ``stale_catalogs`` names and forget loaded catalogs; True if it compiled."""
    stale = stale_catalogs()
    if not stale:
        return False
    from django.core.management import call_command
    from django.utils.translation import trans_real

    for po in stale:
        call_command("compilemessages", locale=[po.parent.parent.name], verbosity=0,
                     ignore_patterns=[".venv", "staticfiles"])
    trans_real._translations = {}
    trans_real._default = None
    trans_real.translation_catalog_exists.cache_clear()
    return True


@checks.register(checks.Tags.translation)
def check_compiled_catalogs(app_configs=None, **kwargs):
    return [
        checks.Warning(
            f"{po.with_suffix('.mo')} is missing or older than {po.name}: pages would be in "
            "English.",
            hint="Run `python manage.py compilemessages -l ja --ignore=.venv` (needs GNU "
                 "gettext's msgfmt) before starting or seeding.",
            id="kgiapp.W001",
        )
        for po in stale_catalogs()
    ]
