"""The demo company's analytics: detected anomalies and six months of reforecasts."""
from django.utils import timezone

from metrics.anomaly_detection import anomalies_detect
from reviews.reforecast.services import (
    month_start,
    previous_month,
    reforecast_compute,
    reforecast_request,
)

DEMO_MONTHS = 6


def seed_reforecasts(company):
    """Run the real detector and the real monthly reforecast for the last months (idempotent).

    Each month's snapshot reads only the numbers known on its first day, so the trend an
    executive sees is the one the product would have shown at the time.
    """
    anomalies_detect(company=company)
    month = month_start(timezone.localdate())
    months = [month]
    for _ in range(DEMO_MONTHS - 1):
        months.append(previous_month(months[-1]))
    for each in reversed(months):
        row, _queued = reforecast_request(company=company, month=each)
        if not row.is_done:
            reforecast_compute(reforecast_id=row.pk)
    return company
