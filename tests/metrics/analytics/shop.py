"""A small shop for reforecast tests: orders (monthly KGI) = visits × CVR, weekly leaves."""
import math
import random
from datetime import date, timedelta
from decimal import Decimal

from metrics.models import Kgi, KgiStatus, Kpi, Measurement
from teams.models import Company

MONDAY = date(2025, 1, 6)


def mondays(n, first=MONDAY):
    return [first + timedelta(days=7 * i) for i in range(n)]


def build_shop(*, slug="shop", weeks=80, visits=10_000.0, growth=0.0, cvr=2.0, target=None,
               deadline=date(2026, 12, 31), seed=1):
    """Weekly visits growing by ``growth`` a week, CVR in percent, a year-end orders KGI.

    Monthly orders ≈ 4.35 × visits × cvr / 100; ``target`` defaults to today's level.
    """
    rng = random.Random(seed)
    company = Company.objects.create(slug=slug, name=slug.title())
    orders = Kpi.objects.create(company=company, code="orders", name_ja="注文数", name_en="Orders",
                                unit="count", cadence="monthly", phase="revenue",
                                kind="lagging", aggregation="sum", formula="visits * cvr")
    visit_kpi = Kpi.objects.create(company=company, code="visits", name_ja="訪問数",
                                   name_en="Visits", unit="count", cadence="weekly",
                                   aggregation="sum")
    cvr_kpi = Kpi.objects.create(company=company, code="cvr", name_ja="購入率",
                                 name_en="Conversion rate", unit="percent", cadence="weekly",
                                 aggregation="average", phase="conversion")
    rows = []
    for i, day in enumerate(mondays(weeks)):
        season = 1 + 0.05 * math.sin(2 * math.pi * i / 52)
        v = visits * (1 + growth) ** i * season * (1 + rng.gauss(0, 0.03))
        c = cvr * (1 + rng.gauss(0, 0.03))
        rows.append(Measurement(company=company, kpi=visit_kpi, period_start=day,
                                value=Decimal(round(v))))
        rows.append(Measurement(company=company, kpi=cvr_kpi, period_start=day,
                                value=Decimal(str(round(c, 3)))))
    Measurement.objects.bulk_create(rows)
    level = 4.35 * visits * cvr / 100
    kgi = Kgi.objects.create(company=company, kpi=orders, name="Orders", unit="count",
                             baseline=Decimal(round(level)),
                             target=Decimal(round(target if target is not None else level)),
                             start_date=date(2025, 1, 1), deadline=deadline,
                             why="Grow", status=KgiStatus.ACTIVE)
    return company, kgi, {"orders": orders, "visits": visit_kpi, "cvr": cvr_kpi}


def month_after_data(weeks=80):
    last = mondays(weeks)[-1]
    return (last.replace(day=1) + timedelta(days=32)).replace(day=1)
