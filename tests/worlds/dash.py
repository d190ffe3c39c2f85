"""Dashboards: a KPI with a number so the KPI page has something to show."""
from datetime import date

from metrics.models import Kpi, Measurement


def extend(world):
    kpi, _ = Kpi.objects.get_or_create(
        company=world.company, code="dash_uu",
        defaults={"name_ja": "UU", "name_en": "UU", "team": world.team},
    )
    Measurement.objects.get_or_create(company=world.company, kpi=kpi,
                                      period_start=date(2026, 1, 5), defaults={"value": 100})
    world.extra["dash_kpi"] = kpi
