"""The weekly review compares every focus KPI with its target at the week's grain."""
from datetime import date
from decimal import Decimal

import pytest

from metrics.targets import target_set
from reviews.selectors import live_numbers
from tests.reviews.factories import focus_kpi, measure, review_for

pytestmark = pytest.mark.django_db


def _orders_and_aov(world):
    """Weekly orders (a sum: 3,000 in November, 6,200 in December) and AOV (an average:
    32,000 from November), both in focus."""
    orders = focus_kpi(company=world.company, team=world.team, code="orders",
                       aggregation="sum", cadence="weekly")
    aov = focus_kpi(company=world.company, team=world.team, code="aov", unit="JPY",
                    aggregation="average", cadence="weekly")
    target_set(kpi=orders, period="2026-11-01", value="3,000")
    target_set(kpi=orders, period="2026-12-01", value="6,200")
    target_set(kpi=aov, period="2026-11-01", value="32,000")
    return orders, aov


def test_a_monthly_sum_target_shows_as_its_weekly_share_in_a_week_straddling_two_months(world):
    orders, aov = _orders_and_aov(world)
    # W49 (Mon 11-30 … Sun 12-06) is the last complete week before the W50 review.
    measure(orders, date(2026, 11, 30), 1300)
    measure(aov, date(2026, 11, 30), 31000)
    rows = {r["code"]: r for r in live_numbers(review_for(world.team, date(2026, 12, 9)))}
    expected = Decimal(3000) / 30 + Decimal(6200) * 6 / 31
    assert Decimal(rows["orders"]["target"]) == round(expected, 4)
    assert rows["orders"]["vs_target_pct"] == round((1300 - float(expected)) / float(expected)
                                                     * 100, 1)
    # An average (AOV) is not divided; November's level is in force in December too.
    assert Decimal(rows["aov"]["target"]) == Decimal(32000)


def test_the_reviews_api_answers_each_live_number_with_its_target(world, client):
    from teams.services import api_token_create

    orders = focus_kpi(company=world.company, team=world.team, code="orders",
                       aggregation="sum", cadence="weekly")
    target_set(kpi=orders, period="2026-11-01", value="3,000")
    target_set(kpi=orders, period="2026-12-01", value="6,200")
    measure(orders, date(2026, 11, 30), 1300)
    review_for(world.team, date(2026, 12, 9))
    _token, raw = api_token_create(company=world.company, user=world.user("viewer"), name="t")
    answer = client.get("/api/v1/acme/teams/sales/reviews?week=2026-W50",
                        headers={"Authorization": f"Bearer {raw}"})
    [review] = answer.json()
    [row] = [n for n in review["numbers"] if n["code"] == "orders"]
    expected = Decimal(3000) / 30 + Decimal(6200) * 6 / 31
    assert Decimal(row["target"]) == round(expected, 4)


def test_the_review_page_signs_the_gap_to_target(world, client):
    from django.urls import reverse

    orders, aov = _orders_and_aov(world)
    measure(orders, date(2026, 11, 30), 1430)  # target 1,300 → 10 % above
    measure(aov, date(2026, 11, 30), 31000)  # target 32,000 → 3.1 % below
    review = review_for(world.team, date(2026, 12, 9))
    client.force_login(world.user("manager"))
    body = client.get(reverse("review-detail", args=[
        world.company.slug, world.team.slug, review.week_label])).content.decode()
    assert ">+10.0 %</span>" in body
    assert ">−3.1 %</span>" in body


def test_the_week_over_week_column_signs_its_change_like_the_gap_to_target(world, client):
    from django.urls import reverse

    orders, aov = _orders_and_aov(world)
    measure(orders, date(2026, 11, 23), 1300)
    measure(orders, date(2026, 11, 30), 1430)  # +10 % on the week before
    measure(aov, date(2026, 11, 23), 32500)
    measure(aov, date(2026, 11, 30), 31000)  # −4.6 % on the week before
    review = review_for(world.team, date(2026, 12, 9))
    client.force_login(world.user("manager"))
    body = client.get(reverse("review-detail", args=[
        world.company.slug, world.team.slug, review.week_label])).content.decode()
    assert "▲ +10.0 %</td>" in body
    assert "▼ −4.6 %</td>" in body
    assert "-4.6%" not in body
