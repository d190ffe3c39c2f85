"""A completed monthly snapshot of the world's company, so reforecast URLs have something to show."""
from django.utils import timezone

from reviews.models import Reforecast, ReforecastStatus


def extend(world):
    today = timezone.localdate()
    snapshot = Reforecast.objects.create(
        company=world.company, month=today.replace(day=1), status=ReforecastStatus.DONE,
        progress=100, probability=0.42, p10=70.0, p50=80.0, p90=95.0, target=83.0,
        deadline=today.replace(month=12, day=31), draws=10_000, seed=1,
        completed_at=timezone.now(),
        payload={"leaves": {}, "sensitivity": [], "changes": {"steps": []}, "risks": [],
                 "anomalies": [], "decisions": [], "forecasts": {}, "kgi": {}})
    world.extra.update(reforecast=snapshot)
