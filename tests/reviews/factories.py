"""Factories for the weekly review tests."""
from datetime import timedelta
from decimal import Decimal

import factory

from metrics.models import Focus, Kpi, Measurement
from reviews.models import Decision, Task
from reviews.services import review_open_for_week


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"kpi{n}")
    name_ja = factory.LazyAttribute(lambda o: f"指標{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Metric {o.code}")
    unit = "count"
    focus = Focus.ACTIVE


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
