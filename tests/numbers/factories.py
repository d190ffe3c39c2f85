"""Factories for the numbers tests: KPIs of the demo's retail tree, small."""
import factory

from metrics.models import Kpi

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


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"kpi_{n}")
    name_ja = factory.LazyAttribute(lambda o: f"指標{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"KPI {o.code}")
    data_source = "GA4"
    definition = "definition"


def small_tree(company, team=None):
    """The retail tree's KPIs for a company: {code: Kpi}."""
    kpis = {}
    for code, (ja, en, unit, cadence, aggregation, formula) in SMALL_TREE.items():
        kpis[code] = KpiFactory(company=company, code=code, name_ja=ja, name_en=en, unit=unit,
                                cadence=cadence, aggregation=aggregation, formula=formula,
                                team=team)
    return kpis
