"""The review's numbers say which week each value is, and when last week's is missing the
table says so instead of repeating an older value as if it were last week's."""
from datetime import date

import pytest
from django.urls import reverse

from reviews.selectors import review_numbers
from tests.reviews.factories import focus_kpi, measure, review_for

pytestmark = pytest.mark.django_db


def test_each_number_names_its_week_and_a_missing_week_is_flagged(world, client):
    fresh = focus_kpi(company=world.company, team=world.team, code="fresh", cadence="weekly")
    late = focus_kpi(company=world.company, team=world.team, code="late", cadence="weekly")
    measure(fresh, date(2026, 11, 30), 10)   # W49: the last complete week before W50
    measure(late, date(2026, 11, 23), 20)    # W48: W49 was never entered
    review = review_for(world.team, date(2026, 12, 9))
    rows = {r["code"]: r for r in review_numbers(review)[0]}
    assert (rows["fresh"]["period_text"], rows["fresh"]["last_week_missing"]) == (
        "2026-W49", False)
    assert (rows["late"]["period_text"], rows["late"]["last_week_missing"]) == ("2026-W48", True)
    client.force_login(world.user("manager"))
    client.cookies["kgi_language"] = "en"
    html = client.get(reverse("review-detail", args=[world.company.slug, world.team.slug,
                                                     "2026-W50"])).content.decode()
    assert "2026-W48 · last week's number is missing" in html
    assert html.count("last week's number is missing") == 1
