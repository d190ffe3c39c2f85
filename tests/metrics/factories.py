"""Factories for the metrics models (factory-boy): the one definition of each, used by every app's
tests. Field defaults are the model's own; pass what a test cares about."""
from datetime import date

import factory

from metrics.models import Kgi, Kpi, Measurement, PeriodKind, Target


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"kpi_{n}")
    name_ja = factory.LazyAttribute(lambda o: f"指標 {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"KPI {o.code}")


class KgiFactory(factory.django.DjangoModelFactory):
    """A SMART goal in draft; pass ``status=KgiStatus.ACTIVE`` for the company's goal."""

    class Meta:
        model = Kgi

    name = "Monthly revenue 100M"
    unit = "JPY"
    baseline = 50_000_000
    target = 100_000_000
    start_date = date(2026, 1, 1)
    deadline = date(2026, 12, 31)
    why = "Fund the next stores ourselves."


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


# code: (ja, en, unit, cadence, aggregation, formula)
SMALL_TREE = {
    "uu": ("ユニークユーザー数", "Unique users", "count", "weekly", "sum", ""),
    "cvr": ("購入率", "Conversion rate", "percent", "weekly", "average", ""),
    "aov": ("平均注文額", "Average order value", "JPY", "weekly", "average", ""),
    "ad_spend": ("広告費", "Ad spend", "JPY", "weekly", "sum", ""),
    "cpc": ("クリック単価", "Cost per click", "JPY", "weekly", "average", ""),
    "paid_uu": ("広告流入UU", "Paid UU", "count", "weekly", "sum", "ad_spend / cpc"),
    "monthly_revenue": ("月間売上", "Monthly revenue", "JPY", "monthly", "sum",
                        "uu * cvr * aov"),
}


def small_tree(company, team=None):
    """The demo retail tree's KPIs for a company: {code: Kpi}."""
    kpis = {}
    for code, (ja, en, unit, cadence, aggregation, formula) in SMALL_TREE.items():
        kpis[code] = KpiFactory(company=company, code=code, name_ja=ja, name_en=en, unit=unit,
                                cadence=cadence, aggregation=aggregation, formula=formula,
                                team=team, data_source="GA4", definition="definition")
    return kpis
