"""A fresh checkout has no compiled Japanese catalog (the .mo is built, not committed): the
deploy check says so, and seeding the demo compiles it first instead of storing English."""
import shutil

import pytest
from django.core.management import call_command
from django.utils import translation

from kgiapp.catalog_check import check_compiled_catalogs, compile_stale_catalogs
from reviews.models import WeeklyReview

REAL_PO = "locale/ja/LC_MESSAGES/django.po"


@pytest.fixture
def fresh_checkout(tmp_path, settings):
    (tmp_path / "ja" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(REAL_PO, tmp_path / "ja" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [str(tmp_path)]
    yield tmp_path


def test_the_check_warns_until_the_catalog_is_compiled(fresh_checkout):
    warnings = check_compiled_catalogs()
    assert [w.id for w in warnings] == ["kgiapp.W001"]
    with translation.override("ja"):
        assert translation.gettext("Nothing is behind target.") == "Nothing is behind target."
    assert compile_stale_catalogs() is True
    assert check_compiled_catalogs() == []
    with translation.override("ja"):
        assert translation.gettext("Nothing is behind target.") != "Nothing is behind target."
    assert compile_stale_catalogs() is False


@pytest.mark.django_db
def test_seeding_a_fresh_checkout_stores_japanese_summaries(fresh_checkout):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (fresh_checkout / "ja" / "LC_MESSAGES" / "django.mo").exists()
    summaries = list(WeeklyReview.objects.exclude(summary="").values_list("summary", flat=True))
    assert summaries
    english = ("No large movements", "Nothing is behind", "Behind target", "Biggest movers",
               "Lowlights", "Highlights")
    assert not [s for s in summaries if any(word in s for word in english)]
