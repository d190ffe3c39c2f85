"""Twelve people save one KPI's December target at once on PostgreSQL: one current row."""
import threading

import pytest
from django.db import connection, connections

from metrics.models import Kgi, Target
from metrics.targets import target_set
from tests.metrics.factories import KpiFactory
from tests.world import build_world

THREADS = 12

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_edits_of_one_target_keep_one_current_row():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    world = build_world()
    kpi = KpiFactory(company=world.company, code="orders")
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def run(value):
        try:
            barrier.wait()
            target_set(kpi=kpi, period="2026-12-01", value=value, reason=f"t{value}")
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - each thread reports what happened
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(100 + i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok"] * THREADS
    rows = Target.objects.filter(kpi=kpi)
    assert rows.count() == THREADS
    assert rows.filter(superseded_at__isnull=True).count() == 1
    Kgi.objects.all().delete()
