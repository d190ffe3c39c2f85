"""Factories for the weekly review tests."""
from datetime import timedelta
from decimal import Decimal

from metrics.models import Focus, Measurement
from reviews.models import Decision, Task
from reviews.services import review_open_for_week
from tests.metrics.factories import KpiFactory


def measure(kpi, monday, value):
    return Measurement.objects.update_or_create(
        kpi=kpi, period_start=monday,
        defaults={"company": kpi.company, "value": Decimal(str(value))})[0]


def review_for(team, day=None):
    return review_open_for_week(team=team, day=day)


def decision_with_task(review, kpi, owner, user=None, due_in=4):
    decision = Decision.objects.create(review=review, kpi=kpi, text="Act on it",
                                       created_by=user)
    task = Task.objects.create(team=review.team, review=review, decision=decision,
                               title="First step", owner=owner,
                               due_date=review.week_start + timedelta(days=due_in))
    return decision, task


def focus_kpi(**fields):
    """A KPI in focus, the kind a weekly review discusses."""
    return KpiFactory(**{"focus": Focus.ACTIVE, **fields})
