"""Reforecast objects the matrix needs: this month's finished snapshot of the world's company.

The world's KGI is a draft, so the what-if answers with a message (never a 500); the pages
that need a real simulation build their own company in tests/reviews/test_reforecast_pages.py.
"""
from django.utils import timezone

from core.calendar import month_start
from reviews.models import Reforecast, ReforecastStatus


def extend(world):
    row = Reforecast.objects.create(
        company=world.company, month=month_start(timezone.localdate()),
        status=ReforecastStatus.DONE, progress=100, probability=0.5, p10=80.0, p50=100.0,
        p90=120.0, target=100.0, draws=1000, seed=1, completed_at=timezone.now(),
        payload={
            "kgi": {"name": "Leads", "code": "world_leads", "unit": "count",
                    "direction": "higher", "target": 100.0},
            "leaves": {"world_leads": {
                "mean": 100.0, "sigma": 10.0, "display_mean": 100.0, "unit": "count",
                "direction": 1, "method": "theta", "flags": [], "name_ja": "リード",
                "name_en": "Leads"}},
            "sensitivity": [{"code": "world_leads", "delta_pp": 4.0, "delta_p50_pct": 1.0,
                             "direction": 1}],
            "forecasts": {}, "anomalies": [], "risks": [], "decisions": [],
            "changes": {"previous_month": None, "previous": None, "steps": []},
        })
    world.extra["reforecast"] = row
