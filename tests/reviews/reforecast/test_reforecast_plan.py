"""The reforecast reads each leaf's plan through the one target reader (metrics.targets)."""
from datetime import date
from decimal import Decimal

import pytest

from metrics.targets import load_plan, target_set
from reviews.reforecast import services as service
from reviews.reforecast.presenter import leaf_plans
from tests.metrics.analytics.shop import build_shop, month_after_data

pytestmark = pytest.mark.django_db


def test_each_leaf_carries_its_plan_for_the_deadline_month_as_the_plan_reads_it():
    company, kgi, kpis = build_shop()
    deadline_month = date(kgi.deadline.year, kgi.deadline.month, 1)
    # Weekly visits planned per month: December's 310,000 stays as a month's sum;
    # the CVR plan is a rate, never divided.
    target_set(kpi=kpis["visits"], period=date(2026, 11, 1), value="30万")
    target_set(kpi=kpis["visits"], period=deadline_month, value="31万")
    target_set(kpi=kpis["cvr"], period=date(2026, 6, 1), value="2.2%")
    row, _queued = service.reforecast_request(company=company, month=month_after_data())
    row = service.reforecast_compute(reforecast_id=row.pk)
    leaves = row.payload["leaves"]
    plan = load_plan(company)
    assert leaves["visits"]["plan"] == float(plan.at(kpis["visits"], "month", deadline_month))
    assert leaves["visits"]["plan"] == 310_000
    assert leaves["cvr"]["plan"] == float(Decimal("2.2"))
    shown = {p["code"]: p for p in leaf_plans(leaves)}
    assert shown["visits"]["plan"] == "310,000" and shown["cvr"]["plan"] == "2.2 %"
    assert shown["visits"]["gap"] != "—"


def test_a_leaf_without_a_plan_says_so():
    company, _kgi, _kpis = build_shop()
    row, _queued = service.reforecast_request(company=company, month=month_after_data())
    row = service.reforecast_compute(reforecast_id=row.pk)
    assert row.payload["leaves"]["visits"]["plan"] is None
    assert {p["plan"] for p in leaf_plans(row.payload["leaves"])} == {"—"}
