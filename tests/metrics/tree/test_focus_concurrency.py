"""Sixteen people press "focus" at once on PostgreSQL: still at most seven active per team."""
import threading

import pytest
from django.db import connection, transaction

from metrics.models import Focus, Kgi, KgiStatus, Kpi
from metrics.services import FocusRefused, kpi_set_focus
from tests.concurrency import at_once
from tests.metrics.factories import KgiFactory, KpiFactory
from tests.world import build_world

THREADS = 16

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sixteen_candidates():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and the trigger)")
    world = build_world()
    leaves = [KpiFactory(company=world.company, code=f"c{i}", team=world.team)
              for i in range(THREADS)]
    root = KpiFactory(company=world.company, code="root", formula=" + ".join(
        k.code for k in leaves))
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE)
    return world, leaves


def _race(leaves, attempt):
    return [type(o).__name__ if isinstance(o, Exception) else o
            for o in at_once(lambda kpi=kpi: attempt(kpi) for kpi in leaves)]


def test_sixteen_concurrent_focus_requests_leave_exactly_seven_active(sixteen_candidates):
    world, leaves = sixteen_candidates

    def attempt(kpi):
        try:
            kpi_set_focus(kpi=kpi, state=Focus.ACTIVE, user=None)
            return "ok"
        except FocusRefused as refused:
            return refused.reason

    outcomes = _race(leaves, attempt)
    assert outcomes.count("ok") == 7, outcomes
    assert outcomes.count("cap") == THREADS - 7, outcomes
    assert Kpi.objects.filter(team=world.team, focus=Focus.ACTIVE).count() == 7
    Kgi.objects.all().delete()


def test_naive_count_then_update_without_lock_or_trigger_breaks_the_cap(sixteen_candidates):
    world, leaves = sixteen_candidates
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER metrics_kpi_focus_cap ON metrics_kpi")
    try:
        def naive(kpi):
            # What a form-only check would do: count, (think), then update — no lock.
            with transaction.atomic():
                active = Kpi.objects.filter(team_id=kpi.team_id, focus=Focus.ACTIVE).count()
                threading.Event().wait(0.05)
                if active < 7:
                    Kpi.objects.filter(pk=kpi.pk).update(focus=Focus.ACTIVE)
                    return "ok"
                return "cap"

        _race(leaves, naive)
        assert Kpi.objects.filter(team=world.team, focus=Focus.ACTIVE).count() > 7
    finally:
        Kpi.objects.filter(team=world.team).update(focus=Focus.MONITORING)
        from importlib import import_module

        migration = import_module("metrics.migrations.0002_kpi_focus_cap_trigger")
        with connection.cursor() as cursor:
            cursor.execute(migration.PG_FORWARD)
