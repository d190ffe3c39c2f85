"""Every main page of an empty company names what is missing and links to the step that
fills it; none claims success on nothing; every checklist item is a cross that says why."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from teams.models import Company, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    company = Company.objects.create(slug="fresh", name="Fresh", language="ja")
    user = get_user_model().objects.create_user("owner", "owner@example.com", "pw")
    Membership.objects.create(company=company, user=user, role=Role.ADMIN)
    client.force_login(user)
    return client


def url(name, anchor=""):
    return reverse(name, args=["fresh"]) + anchor


TEAMS = ("company-settings", "#teams")
# page → (what the page says is missing, the link that fixes it)
PAGES = {
    "dashboard": ("チームを作る", TEAMS),
    "kgi-tree": ("有効なKGIがまだありません", ("kgi-templates", "")),
    "numbers-home": ('data-testid="no-kpis"', ("kgi-templates", "")),
    "import-upload": ('data-testid="no-kpis"', ("kgi-templates", "")),
    "data-quality": ('data-testid="no-kpis"', ("kpi-create", "")),
    "review-mine": ("チームがまだありません", TEAMS),
    "okr-home": ("チームがまだありません", TEAMS),
    "customers-home": ("チームがまだありません", TEAMS),
    "alignment-map": ('data-testid="no-objectives"', ("kgi-edit", "")),
    "reforecast-latest": ("予測の対象となる有効なKGIがありません", ("kgi-edit", "")),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_main_page_names_what_is_missing_and_links_the_fix(admin, name):
    missing, (fix, anchor) = PAGES[name]
    response = admin.get(url(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert missing in html
    assert f'href="{url(fix, anchor)}"' in html


def test_nothing_claims_success_on_nothing(admin):
    quality = admin.get(url("data-quality")).content.decode()
    assert "0 件のKPIが古いままです" not in quality
    reforecast = admin.get(url("reforecast-latest")).content.decode()
    assert 'data-testid="rf-run"' not in reforecast  # nothing to compute yet
    numbers = admin.get(url("numbers-home")).content.decode()
    assert 'data-testid="no-teams"' in numbers and url("company-settings", "#teams") in numbers


def test_every_checklist_item_is_a_cross_that_says_why_and_links_a_fix(admin):
    items = admin.get(url("dashboard")).context["checklist"]
    assert [item.ok for item in items] == [False] * 6
    for item in items:
        assert str(item.detail).strip(), item.title
        assert item.fix_url.startswith("/fresh/"), item.title
    html = admin.get(url("dashboard")).content.decode()
    checklist = html.split('class="card checklist"', 1)[1].split("</details>", 1)[0]
    assert checklist.count('<li class="ng"') == 6 and '<li class="ok"' not in checklist
