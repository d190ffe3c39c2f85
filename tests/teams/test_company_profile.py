"""Admins change the company's name, URL name, language, time zone, fiscal year, currency and
week start; bad input changes nothing; the fiscal-year start re-labels quarters."""
from datetime import date

import pytest
from django.urls import reverse

from okrs.selectors import current_quarter
from teams.dataversion import cache_key
from teams.models import Company, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user(Role.ADMIN))
    return client


def _data(**changes):
    data = {"name": "Acme Japan", "slug": "acme", "language": "ja",
            "timezone": "Asia/Tokyo", "fiscal_year_start_month": "1", "currency": "JPY",
            "week_start": "0"}
    data.update(changes)
    return {f"company-{key}": value for key, value in data.items()}


def test_settings_page_shows_the_company_form_filled_in(admin_client, world):
    page = admin_client.get(reverse("company-settings", args=["acme"]))
    form = page.context["company_form"]
    assert form.initial["name"] == "Acme" and form.initial["fiscal_year_start_month"] == 1
    html = page.content.decode()
    assert "会計年度の開始月" in html and "週の始まり" in html and "4月" in html


def test_admin_changes_every_setting(admin_client, world):
    response = admin_client.post(reverse("company-update", args=["acme"]), _data(
        name="アクメ株式会社", slug="acme-jp", language="en", timezone="America/New_York",
        fiscal_year_start_month="4", currency="usd", week_start="6"))
    assert response.status_code == 302
    assert response.url == reverse("company-settings", args=["acme-jp"]) + "#company"
    company = Company.objects.get(pk=world.company.pk)
    assert (company.name, company.slug, company.language, company.timezone,
            company.fiscal_year_start_month, company.currency, company.week_start) == (
        "アクメ株式会社", "acme-jp", "en", "America/New_York", 4, "USD", 6)
    assert admin_client.get(reverse("dashboard", args=["acme"])).status_code == 404
    assert admin_client.get(reverse("dashboard", args=["acme-jp"])).status_code == 200


@pytest.mark.parametrize("changes,field", [
    ({"currency": "YEN!"}, "currency"),
    ({"currency": "JP"}, "currency"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"slug": "globex"}, "slug"),
    ({"slug": "accounts"}, "slug"),
    ({"slug": "Not A Slug"}, "slug"),
    ({"fiscal_year_start_month": "13"}, "fiscal_year_start_month"),
    ({"week_start": "3"}, "week_start"),
    ({"name": ""}, "name"),
])
def test_bad_input_is_refused_on_its_field_and_changes_nothing(admin_client, world, changes,
                                                               field):
    response = admin_client.post(reverse("company-update", args=["acme"]), _data(**changes))
    assert response.status_code == 400
    assert field in response.context["company_form"].errors
    company = Company.objects.get(pk=world.company.pk)
    assert (company.name, company.slug, company.currency) == ("Acme", "acme", "JPY")


def test_fiscal_year_start_relabels_quarters_and_changes_cache_keys(admin_client, world):
    may = date(2026, 5, 15)
    before_key = cache_key(world.company, "page", ())
    assert current_quarter(world.company, may).label == "2026Q2"
    admin_client.post(reverse("company-update", args=["acme"]),
                      _data(name="Acme", fiscal_year_start_month="4"))
    company = Company.objects.get(pk=world.company.pk)
    quarter = current_quarter(company, may)
    assert quarter.label == "2026Q1" and quarter.start == date(2026, 4, 1)
    # Cached pages built under January quarters are not served after the change.
    assert cache_key(company, "page", ()) != before_key
