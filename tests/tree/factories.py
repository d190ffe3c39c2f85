"""Factories for KPIs and KGIs (factory-boy)."""
from datetime import date
from decimal import Decimal

import factory

from metrics.models import Kgi, Kpi


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"kpi_{n}")
    name_ja = factory.LazyAttribute(lambda o: f"指標 {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"KPI {o.code}")
    unit = "count"


class KgiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kgi

    name = "Monthly revenue 10M JPY"
    unit = "JPY"
    baseline = Decimal("8000000")
    target = Decimal("10000000")
    start_date = date(2026, 4, 1)
    deadline = date(2027, 3, 31)
    why = "So we can fund next year's stores from our own cash."
