"""The review history's quarter is the company's fiscal quarter, in either spelling."""
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from teams.models import Team
from tests.reviews.factories import KpiFactory, decision_with_task, review_for


@pytest.fixture
def april_reviews(world):
    world.company.fiscal_year_start_month = 4
    world.company.save(update_fields=["fiscal_year_start_month"])
    team = Team.objects.get(company=world.company, slug="marketing")
    kpi = KpiFactory(company=world.company, team=team, code="cvr_hist")
    january = review_for(team, day=date(2027, 1, 13))  # FY2026 Q4 with an April start
    october = review_for(team, day=date(2026, 10, 14))  # FY2026 Q3 (calendar Q4)
    for review in (january, october):
        decision_with_task(review, kpi, world.users["member"])
    client = Client()
    client.force_login(world.users["viewer"])
    url = reverse("review-history", args=[world.company.slug, team.slug])
    return client, url, january, october


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["FY2026 Q4", "2026Q4"])
def test_a_quarter_means_the_fiscal_quarter_in_either_spelling(april_reviews, text):
    client, url, january, _october = april_reviews
    response = client.get(url, {"quarter": text})
    assert [r.week_label for r, _d in response.context["rows"]] == [january.week_label]
    assert response.context["quarter"] == "FY2026 Q4"


@pytest.mark.django_db
def test_a_malformed_quarter_is_named_not_a_500(april_reviews):
    client, url, january, october = april_reviews
    response = client.get(url, {"quarter": "Q4 of 2026"})
    assert response.status_code == 200
    assert "四半期は FY2026 Q4 のように入力してください。" in response.content.decode()  # ja default
    assert {r.week_label for r, _d in response.context["rows"]} == {
        january.week_label, october.week_label}
