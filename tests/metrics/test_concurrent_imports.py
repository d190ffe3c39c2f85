"""Six concurrent imports of one 600-value file write each value once, with no revision."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from metrics.measurements import Entry, measurements_bulk_upsert
from metrics.models import Measurement, MeasurementRevision
from tests.concurrency import at_once
from tests.metrics.factories import KpiFactory
from tests.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


@pytest.fixture
def six_hundred_entries():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    world = build_world()
    kpis = [KpiFactory(company=world.company, code=f"k{i}", unit="count", cadence="daily",
                       team=world.team) for i in range(6)]
    start = date(2026, 1, 1)
    entries = [Entry(kpi, start + timedelta(days=d), Decimal(d + 1), d)
               for kpi in kpis for d in range(100)]
    return world, entries


def _race(count, work):
    return at_once([work] * count)


def test_six_concurrent_imports_of_one_file_write_each_value_once(six_hundred_entries):
    world, entries = six_hundred_entries
    outcomes = _race(THREADS, lambda: measurements_bulk_upsert(company=world.company,
                                                               entries=entries))
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert Measurement.objects.count() == 600
    assert MeasurementRevision.objects.count() == 0
    # One import found 600 new values; every other one found them unchanged.
    assert sorted((o.new, o.changed, o.unchanged) for o in outcomes) == (
        [(0, 0, 600)] * (THREADS - 1) + [(600, 0, 0)])


def test_concurrent_corrections_keep_one_revision_per_real_change(six_hundred_entries):
    world, entries = six_hundred_entries
    measurements_bulk_upsert(company=world.company, entries=entries)
    corrected = [Entry(e.kpi, e.period, e.value + 1, e.ref) for e in entries]
    outcomes = _race(THREADS, lambda: measurements_bulk_upsert(company=world.company,
                                                               entries=corrected))
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert MeasurementRevision.objects.count() == 600
    assert sorted(o.changed for o in outcomes) == [0] * (THREADS - 1) + [600]
