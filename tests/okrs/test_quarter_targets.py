"""The quarterly OKR update writes next quarter's thresholds at the right scale, from its
first day only: nothing a review compares changes before the quarter starts."""
from datetime import date
from decimal import Decimal

import pytest

from core.quarters import Quarter
from metrics.models import Target
from metrics.selectors import target_plan
from metrics.targets import target_set
from okrs import services as okr_services
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db


def test_next_quarters_total_changes_nothing_before_it_and_is_split_by_days_after(world):
    spend = KpiFactory(company=world.company, code="ad_spend", unit="JPY", cadence="weekly",
                       aggregation="sum", team=world.team)
    target_set(kpi=spend, period="2026-12-01", value="12,400,000")  # a month of ad spend
    okr_services.quarter_review_apply(team=world.team, quarter=Quarter(2026, 4),
                                      scores={}, thresholds={spend.pk: "43,800,000"})
    stored = Target.objects.get(kpi=spend, period_kind="quarter")
    assert (stored.period_start, stored.value) == (date(2027, 1, 1), Decimal(43_800_000))
    plan = target_plan(world.company)
    # This week (December) still compares with December's plan, not the quarter's total.
    assert plan.at(spend, None, date(2026, 12, 14)) == Decimal(12_400_000) * 7 / 31
    # From January 1st the quarter's total is spread over its 90 days.
    assert plan.at(spend, None, date(2027, 1, 4)) == Decimal(43_800_000) * 7 / 90
