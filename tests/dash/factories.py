"""Factories for the dashboard tests (factory-boy)."""
from datetime import date

import factory

from metrics.models import Kgi, KgiStatus, Kpi, Measurement, PeriodKind, Target
from teams.models import Team


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    slug = factory.Sequence(lambda n: f"team{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"kpi_{n}")
    name_ja = factory.LazyAttribute(lambda o: o.code)
    name_en = factory.LazyAttribute(lambda o: o.code)
    unit = "count"
    kind = "leading"
    phase = "acquisition"
    cadence = "weekly"


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KpiFactory)
    company = factory.LazyAttribute(lambda o: o.kpi.company)
    period_start = date(2026, 1, 5)
    value = 100


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    period_kind = PeriodKind.MONTH
    period_start = date(2026, 1, 1)
    value = 100


class KgiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kgi

    name = "Monthly revenue 100M"
    unit = "JPY"
    baseline = 50_000_000
    target = 100_000_000
    start_date = date(2026, 1, 1)
    deadline = date(2026, 12, 31)
    why = "Fund the next stores ourselves."
    status = KgiStatus.ACTIVE
