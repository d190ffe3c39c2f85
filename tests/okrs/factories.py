"""Factories for the OKR models, and a small KGI tree: revenue = uu * cvr, churn, a vanity KPI."""
from datetime import timedelta
from decimal import Decimal

import factory

from metrics.models import Kgi, KgiStatus, Measurement
from okrs.models import KeyResult, Objective
from tests.metrics.factories import KpiFactory


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    title = "Grow"
    company = factory.LazyAttribute(lambda o: o.team.company)
    quarter = "2026Q3"
    quarter_start = factory.LazyFunction(lambda: __import__("datetime").date(2026, 10, 1))


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    title = factory.Sequence(lambda n: f"KR {n}")
    start = Decimal(0)
    target = Decimal(100)


def small_tree(company):
    """revenue = uu * cvr (the KGI), churn (lower is better, outside the tree), followers (vanity)."""
    kpis = {
        "revenue": KpiFactory(company=company, code="revenue", formula="uu * cvr", unit="JPY",
                              aggregation="sum"),
        "uu": KpiFactory(company=company, code="uu", aggregation="sum"),
        "cvr": KpiFactory(company=company, code="cvr", unit="percent", aggregation="average"),
        "churn": KpiFactory(company=company, code="churn", unit="percent", direction="lower",
                            aggregation="average"),
        "followers": KpiFactory(company=company, code="followers", is_vanity=True,
                                aggregation="last"),
    }
    Kgi.objects.create(company=company, name="Revenue", kpi=kpis["revenue"], unit="JPY",
                       target=Decimal(1_000_000), status=KgiStatus.ACTIVE)
    return kpis


def measure(kpi, start, values, step=7):
    Measurement.objects.bulk_create([
        Measurement(company=kpi.company, kpi=kpi, period_start=start + timedelta(days=i * step),
                    value=Decimal(str(v))) for i, v in enumerate(values)
    ])
