"""Target status: on track at/beyond the target, at risk within 10 %, else off track."""
from datetime import date
from decimal import Decimal

import pytest

from metrics.models import PeriodKind
from metrics.selectors import target_plan, target_status
from tests.metrics.factories import KpiFactory, TargetFactory


@pytest.mark.parametrize("value,target,direction,expected", [
    (100, 100, "higher", "on_track"),
    (120, 100, "higher", "on_track"),
    (91, 100, "higher", "at_risk"),
    (90, 100, "higher", "at_risk"),
    (89, 100, "higher", "off_track"),
    (4.0, 5.0, "lower", "on_track"),   # lower is better: below the target is good
    (5.4, 5.0, "lower", "at_risk"),
    (6.0, 5.0, "lower", "off_track"),
    (None, 5.0, "lower", "off_track"),
    (3, None, "higher", "no_target"),
])
def test_target_status_honours_lower_is_better(value, target, direction, expected):
    assert target_status(value, target, direction) == expected


@pytest.mark.django_db
def test_month_target_of_a_summed_weekly_kpi_is_split_to_the_week(world):
    summed = KpiFactory(company=world.company, cadence="weekly", aggregation="sum")
    averaged = KpiFactory(company=world.company, cadence="weekly", aggregation="average")
    month = TargetFactory(kpi=summed, period_kind=PeriodKind.MONTH,
                          period_start=date(2026, 4, 1), value=Decimal(30_000))
    TargetFactory(kpi=averaged, period_kind=PeriodKind.MONTH,
                  period_start=date(2026, 4, 1), value=Decimal(30_000))
    plan = target_plan(world.company)
    assert month.kpi == summed
    assert plan.at(summed, None, date(2026, 4, 6)) == Decimal(7_000)
    assert plan.at(averaged, None, date(2026, 4, 6)) == Decimal(30_000)
