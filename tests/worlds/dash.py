"""Dashboards: a KPI for the KPI page row (its numbers come from each test that needs them)."""
from metrics.models import Kpi


def extend(world):
    kpi, _ = Kpi.objects.get_or_create(
        company=world.company, code="dash_uu",
        defaults={"name_ja": "UU", "name_en": "UU", "team": world.team},
    )
    world.extra["dash_kpi"] = kpi
