"""The onboarding → churn → LTV page states an association, not a cause: it names the
sample size of each group and gives an interval for the LTV difference."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.selectors import customer_records
from engine.saas_risk import ltv_gap, ltv_gap_interval
from tests.customers.factories import CustomerFactory


@pytest.fixture
def roster(world):
    world.extra["customer"].delete()
    today = timezone.localdate()
    start = today - timedelta(days=400)
    for i in range(30):
        done = i < 18
        churned = (i % 6 == 0) if done else (i % 2 == 0)
        CustomerFactory(team=world.team, contract_date=start + timedelta(days=i),
                        onboarding_status="complete" if done else "in_progress", mrr=50000,
                        churn_date=start + timedelta(days=120 + i) if churned else None)
    return world.team


@pytest.mark.django_db
def test_the_interval_surrounds_the_difference_and_is_repeatable(roster):
    records = customer_records(roster)
    today = timezone.localdate()
    gap = ltv_gap(records, today)
    first = ltv_gap_interval(records, today)
    assert first is not None and first.low < gap.difference < first.high
    assert ltv_gap_interval(records, today) == first


@pytest.mark.django_db
def test_too_few_churned_customers_give_no_interval(world):
    world.extra["customer"].delete()
    start = date(2025, 1, 1)
    CustomerFactory(team=world.team, contract_date=start, churn_date=start + timedelta(days=90))
    CustomerFactory(team=world.team, contract_date=start, onboarding_status="in_progress",
                    churn_date=start + timedelta(days=60))
    assert ltv_gap_interval(customer_records(world.team), date(2026, 1, 1)) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [
    ("en", ["is associated with", "(n = 18)", "(n = 12)", "90 % interval of the difference",
            "not proof"]),
    ("ja", ["関連", "n = 18", "n = 12", "90 %", "区間"]),
])
def test_the_page_says_associated_with_sample_sizes_and_interval(roster, client, world,
                                                                 language, words):
    client.force_login(world.user("viewer"))
    client.cookies["kgi_language"] = language
    html = client.get(reverse("cs-causal", args=[world.company.slug, roster.slug])).content
    html = html.decode()
    for word in words:
        assert word in html, word
    assert "is worth" not in html
