"""One value per KPI and period, corrections kept, computed KPIs recomputed from their inputs."""
from datetime import date
from decimal import Decimal

import pytest

from metrics.measurements import (
    Entry,
    MeasurementError,
    measurement_upsert,
    measurements_bulk_upsert,
)
from metrics.models import Measurement, MeasurementRevision, Source
from tests.metrics.factories import small_tree

MONDAYS_OF_MARCH_2026 = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),
                         date(2026, 3, 23), date(2026, 3, 30)]


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


@pytest.mark.django_db
def test_a_day_is_stored_on_its_weeks_monday_and_reimport_changes_nothing(world, kpis):
    entries = [Entry(kpis["uu"], date(2026, 3, 4), Decimal(1000))]
    first = measurements_bulk_upsert(company=world.company, entries=entries)
    again = measurements_bulk_upsert(company=world.company, entries=entries)
    assert (first.new, first.changed, first.unchanged) == (1, 0, 0)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 1)
    assert Measurement.objects.get(kpi=kpis["uu"]).period_start == date(2026, 3, 2)


@pytest.mark.django_db
def test_a_correction_keeps_the_old_value(world, kpis):
    user = world.user("member")
    measurement_upsert(company=world.company, kpi=kpis["uu"], period=date(2026, 3, 2),
                       value=Decimal(1000), user=user)
    measurement, result = measurement_upsert(company=world.company, kpi=kpis["uu"],
                                             period=date(2026, 3, 2), value=Decimal(1200),
                                             user=user)
    assert result.changed == 1 and measurement.value == Decimal(1200)
    revision = MeasurementRevision.objects.get(measurement=measurement)
    assert (revision.old_value, revision.new_value) == (Decimal(1000), Decimal(1200))


@pytest.mark.django_db
def test_computed_kpis_refuse_manual_entry(world, kpis):
    with pytest.raises(MeasurementError) as refused:
        measurement_upsert(company=world.company, kpi=kpis["paid_uu"], period=date(2026, 3, 2),
                           value=Decimal(5))
    assert "ad_spend / cpc" in refused.value.errors[0].message
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_one_bad_entry_refuses_the_whole_batch(world, kpis):
    entries = [Entry(kpis["uu"], date(2026, 3, 2), Decimal(10), 2),
               Entry(kpis["cvr"], date(2026, 3, 2), Decimal(140), 3)]
    with pytest.raises(MeasurementError) as refused:
        measurements_bulk_upsert(company=world.company, entries=entries)
    assert [e.ref for e in refused.value.errors] == [3]
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_another_companys_kpi_is_refused(world, kpis):
    with pytest.raises(MeasurementError):
        measurements_bulk_upsert(company=world.other, entries=[
            Entry(kpis["uu"], date(2026, 3, 2), Decimal(10))])


@pytest.mark.django_db
def test_computed_kpi_follows_its_inputs(world, kpis):
    week = date(2026, 3, 2)
    measurements_bulk_upsert(company=world.company, entries=[
        Entry(kpis["ad_spend"], week, Decimal(240000)), Entry(kpis["cpc"], week, Decimal(200))])
    paid = Measurement.objects.get(kpi=kpis["paid_uu"], period_start=week)
    assert paid.value == Decimal(1200) and paid.source == Source.COMPUTED
    measurement_upsert(company=world.company, kpi=kpis["cpc"], period=week, value=Decimal(240))
    paid.refresh_from_db()
    assert paid.value == Decimal(1000)
    assert paid.revisions.get().old_value == Decimal(1200)


@pytest.mark.django_db
def test_monthly_computed_kpi_counts_each_week_by_its_days_in_the_month(world, kpis):
    # March 2026 is touched by six weeks: 23 Feb (1 of its 7 days in March), the four
    # weeks from 2 to 23 March, and 30 March (2 days: 30 and 31 March).
    entries = []
    for monday in MONDAYS_OF_MARCH_2026:
        entries += [Entry(kpis["uu"], monday, Decimal(700)),
                    Entry(kpis["cvr"], monday, Decimal("2.0")),
                    Entry(kpis["aov"], monday, Decimal(3000))]
    february_week = [Entry(kpis["uu"], date(2026, 2, 23), Decimal(7000)),
                     Entry(kpis["cvr"], date(2026, 2, 23), Decimal("2.0")),
                     Entry(kpis["aov"], date(2026, 2, 23), Decimal(3000))]
    measurements_bulk_upsert(company=world.company, entries=entries)
    assert not Measurement.objects.filter(kpi=kpis["monthly_revenue"]).exists()  # incomplete
    result = measurements_bulk_upsert(company=world.company, entries=february_week)
    assert result.computed == 1
    revenue = Measurement.objects.get(kpi=kpis["monthly_revenue"])
    # UU = 7000 × 1/7 + 4 × 700 + 700 × 2/7 = 4000 (sum); CVR 2 % and AOV ¥3,000 (averages
    # weighted by days, all equal): 4000 × 0.02 × 3000 = ¥240,000. By Mondays it was 5 × 700.
    assert revenue.period_start == date(2026, 3, 1)
    assert revenue.value == Decimal(240000)
