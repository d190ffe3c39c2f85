"""The roster sync writes through the one measurement writer: formulas follow, queries stay flat.

Two customers are active at the start of each month from January to June 2025; B leaves on
15 March, so March's logo churn is 1 of 2 = 50 %, and every other month has no churn among
those active at its start (A stays, B is gone).
"""
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.calendar import add_months
from customers import services as cs_services
from customers.models import Customer
from metrics.models import Kpi, Measurement, MeasurementRevision, Source
from tests.customers.factories import CustomerFactory

MARCH = date(2025, 3, 1)
TODAY = date(2025, 7, 10)


def _kpi(team, code, unit="percent", formula=""):
    return Kpi.objects.create(company=team.company, team=team, code=code, name_ja=code,
                              name_en=code, unit=unit, cadence="monthly", aggregation="avg",
                              formula=formula)


@pytest.fixture
def team(world):
    t = world.team
    world.extra["customer"].delete()
    CustomerFactory(team=t, name="A", contract_date=date(2024, 12, 10), mrr=100, nps=9)
    CustomerFactory(team=t, name="B", contract_date=date(2024, 12, 20), mrr=100, nps=3,
                    churn_date=date(2025, 3, 15))
    return t


@pytest.mark.django_db
def test_a_formula_kpi_built_on_churn_is_recomputed_by_the_sync(team):
    churn = _kpi(team, "churn_rate")
    retention = _kpi(team, "retention_rate", formula="1 - churn_rate")
    result = cs_services.cs_sync_measurements(team=team, today=TODAY, months=[MARCH])
    assert result == {"written": 1, "skipped_manual": 0, "refused": 0}
    assert Measurement.objects.get(kpi=churn, period_start=MARCH).value == Decimal("50.0000")
    kept = Measurement.objects.get(kpi=retention, period_start=MARCH)
    assert (kept.value, kept.source) == (Decimal("50.0000"), Source.COMPUTED)


@pytest.mark.django_db
def test_a_corrected_month_keeps_a_revision_and_moves_the_formula_kpi(team):
    churn = _kpi(team, "churn_rate")
    retention = _kpi(team, "retention_rate", formula="1 - churn_rate")
    Measurement.objects.create(company=team.company, kpi=churn, period_start=MARCH,
                               value=Decimal("10"), source=Source.IMPORT)
    cs_services.cs_sync_measurements(team=team, today=TODAY, months=[MARCH])
    revision = MeasurementRevision.objects.get(measurement__kpi=churn)
    assert (revision.old_value, revision.new_value) == (Decimal("10.0000"), Decimal("50.0000"))
    assert Measurement.objects.get(kpi=retention, period_start=MARCH).value == Decimal("50")
    again = cs_services.cs_sync_measurements(team=team, today=TODAY, months=[MARCH])
    assert again == {"written": 0, "skipped_manual": 0, "refused": 0}
    assert MeasurementRevision.objects.filter(measurement__kpi=churn).count() == 1


@pytest.mark.django_db
def test_a_number_typed_by_hand_is_kept_and_its_formula_kpi_is_not_touched(team):
    churn = _kpi(team, "churn_rate")
    _kpi(team, "retention_rate", formula="1 - churn_rate")
    Measurement.objects.create(company=team.company, kpi=churn, period_start=MARCH,
                               value=Decimal("4.2"), source=Source.MANUAL)
    result = cs_services.cs_sync_measurements(team=team, today=TODAY, months=[MARCH])
    assert result == {"written": 0, "skipped_manual": 1, "refused": 0}
    assert Measurement.objects.get(kpi=churn).value == Decimal("4.2")


@pytest.mark.django_db
def test_a_cs_kpi_with_a_formula_is_computed_not_fed(team):
    _kpi(team, "retention_input")
    churn = _kpi(team, "churn_rate", formula="1 - retention_input")
    assert cs_services.cs_sync_measurements(team=team, today=TODAY, months=[MARCH]) == {
        "written": 0, "skipped_manual": 0, "refused": 0}
    assert not Measurement.objects.filter(kpi=churn).exists()


@pytest.mark.django_db
def test_a_value_the_kpi_cannot_hold_is_left_out_and_the_rest_is_written(team):
    Customer.objects.filter(team=team, name="A").update(nps=2)  # both detractors: NPS −100
    churn = _kpi(team, "churn_rate")
    nps = _kpi(team, "nps")  # wrongly set up as a percent KPI, which cannot go below 0
    result = cs_services.cs_sync_measurements(team=team, today=TODAY, months=[MARCH])
    assert result == {"written": 1, "skipped_manual": 0, "refused": 1}
    assert Measurement.objects.get(kpi=churn).value == Decimal("50.0000")
    assert not Measurement.objects.filter(kpi=nps).exists()


def _queries(team, months):
    with CaptureQueriesContext(connection) as captured:
        cs_services.cs_sync_measurements(team=team, today=TODAY, months=months)
    return len(captured)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_months_or_kpis(team):
    for code, unit in (("churn_rate", "percent"), ("nps", "score"),
                       ("onboarding_completion", "percent"), ("csat", "percent")):
        _kpi(team, code, unit)
    _kpi(team, "retention_rate", formula="1 - churn_rate")
    one_month = _queries(team, [MARCH])
    Measurement.objects.all().delete()
    six_months = _queries(team, [add_months(date(2025, 1, 1), n) for n in range(6)])
    assert six_months == one_month
    # Pinned: the team's KPIs, the roster (customers, MRR history, dated survey answers),
    # the stored values, the company's data token, one bulk write, then the recomputation
    # (the computed KPIs, the KPIs their formulas name, the inputs' stored values, one bulk
    # write: two indexed KPI reads instead of every KPI of the company), then the written
    # KPIs' facts (their KPI rows, latest values, targets, one upsert: metrics.facts), inside
    # the sync's and the writer's savepoints. It was 2 queries per month × KPI (read, then
    # write) before the sync went through the writer. On PostgreSQL one more: the writer's
    # per-KPI advisory locks (SQLite has one writer at a time).
    assert one_month == (20 if connection.vendor == "postgresql" else 19)
    assert Measurement.objects.filter(kpi__code="retention_rate").count() == 6
