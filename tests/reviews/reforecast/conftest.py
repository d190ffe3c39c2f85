"""The reforecast tests' shop: a real KPI tree with two years of numbers and two snapshots."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.calendar import month_start, previous_month
from metrics.models import Kgi, KgiStatus, Kpi, Measurement
from reviews.models import Decision, Reforecast
from reviews.reforecast.services import reforecast_compute, reforecast_request
from reviews.services import review_open_for_week


def _months_back(month, n):
    out = [month]
    for _ in range(n - 1):
        out.append(previous_month(out[-1]))
    return list(reversed(out))


@pytest.fixture
def shop(world):
    """world.company with an active revenue KGI, its tree, numbers and two snapshots."""
    company = world.company
    today = timezone.localdate()
    this_month = month_start(today)
    last_month = previous_month(this_month)

    def kpi(code, unit, name_en, name_ja, formula="", direction="higher"):
        return Kpi.objects.create(company=company, code=code, unit=unit, name_en=name_en,
                                  name_ja=name_ja, cadence="monthly", formula=formula,
                                  direction=direction, aggregation="sum" if unit != "percent"
                                  else "average", team=world.team, focus="monitoring")

    revenue = kpi("rev", "JPY", "Revenue", "売上", formula="uu * cvr * aov")
    uu = kpi("uu", "count", "Unique users", "UU")
    cvr = kpi("cvr", "percent", "Conversion rate", "購入率")
    aov = kpi("aov", "JPY", "Average order value", "客単価")
    months = _months_back(this_month, 25)[:-1]  # two years up to last month
    for i, month in enumerate(months):
        values = {uu: 100_000 + 800 * i, cvr: 2.0 + 0.01 * i, aov: 5_000 + 10 * i}
        if month == previous_month(last_month):
            values[cvr] = 1.6  # a bad month just before last month's snapshot
        for k, value in values.items():
            Measurement.objects.create(company=company, kpi=k, period_start=month,
                                       value=Decimal(str(round(value, 4))))
        Measurement.objects.create(
            company=company, kpi=revenue, period_start=month,
            value=Decimal(str(round(values[uu] * values[cvr] / 100 * values[aov]))))
    Kgi.objects.create(company=company, name="Revenue 13M a month", kpi=revenue, unit="JPY",
                       baseline=10_000_000, target=13_000_000, start_date=months[0],
                       deadline=this_month + timedelta(days=200), status=KgiStatus.ACTIVE)
    # A decision taken last month on the conversion rate: the report links to its review.
    review = review_open_for_week(team=world.team, day=last_month + timedelta(days=9))
    decision = Decision.objects.create(review=review, kpi=cvr, text="Shorten the checkout",
                                       created_by=world.users["manager"])
    Reforecast.objects.filter(company=company).delete()  # the matrix world's stand-in
    rows = {}
    for month in (last_month, this_month):
        row, _queued = reforecast_request(company=company, month=month)
        rows[month] = reforecast_compute(reforecast_id=row.pk)
        assert rows[month].is_done, rows[month].error
    return {"company": company, "this": rows[this_month], "last": rows[last_month],
            "decision": decision, "review": review}
