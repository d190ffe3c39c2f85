"""Twelve people save one KPI's December target at once on PostgreSQL: one current row."""

import pytest
from django.db import connection

from metrics.models import Kgi, Target
from metrics.targets import target_set
from tests.concurrency import at_once, errors_in
from tests.metrics.factories import KpiFactory
from tests.world import build_world

THREADS = 12

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_edits_of_one_target_keep_one_current_row():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    world = build_world()
    kpi = KpiFactory(company=world.company, code="orders")
    outcomes = at_once(
        lambda value=100 + i: target_set(kpi=kpi, period="2026-12-01", value=value,
                                         reason=f"t{value}")
        for i in range(THREADS))
    assert errors_in(outcomes) == [] and len(outcomes) == THREADS
    rows = Target.objects.filter(kpi=kpi)
    assert rows.count() == THREADS
    assert rows.filter(superseded_at__isnull=True).count() == 1
    Kgi.objects.all().delete()
