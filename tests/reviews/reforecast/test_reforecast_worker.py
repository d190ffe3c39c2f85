"""The monthly reforecast on real Celery workers (Redis + PostgreSQL in CI): end to end,
run twice, and a worker killed half-way whose message is redelivered to the next one."""
from decimal import Decimal

import pytest

from metrics.models import Kpi, Measurement
from reviews.models import Reforecast, ReforecastStatus
from reviews.reforecast import services as service
from reviews.reforecast.tasks import reforecast_monthly, reforecast_run
from tests.celery_fixtures import requeue_unacked, wait_for
from tests.metrics.analytics.shop import build_shop, mondays

pytestmark = pytest.mark.django_db(transaction=True)


def state(pk):
    return Reforecast.objects.values_list("status", "progress").get(pk=pk)


def add_monitoring_kpis(company, count, weeks=104):
    """Many KPIs outside the tree: every one is forecast, so the run takes a few seconds."""
    kpis = Kpi.objects.bulk_create([
        Kpi(company=company, code=f"monitor_{i:03d}", name_ja=f"監視 {i}", name_en=f"Watch {i}",
            cadence="weekly", aggregation="sum") for i in range(count)])
    Measurement.objects.bulk_create([
        Measurement(company=company, kpi=kpi, period_start=day,
                    value=Decimal(100 + (i * 7 + w * 13) % 50))
        for i, kpi in enumerate(kpis) for w, day in enumerate(mondays(weeks))])


def test_the_monthly_beat_runs_each_snapshot_on_a_worker(live_celery_worker):
    company, _kgi, _ = build_shop()
    assert reforecast_monthly() == 1  # outside a transaction: enqueued at once
    row = Reforecast.objects.get(company=company)
    status, progress = wait_for(lambda: state(row.pk), lambda s: s[0] in ("done", "failed"))
    row.refresh_from_db()
    assert (status, progress) == (ReforecastStatus.DONE, 100), row.error
    assert 0 <= row.probability <= 1 and row.payload["sensitivity"]


def test_running_the_task_twice_leaves_one_snapshot_computed_once(live_celery_worker):
    company, _kgi, _ = build_shop()
    row, _queued = service.reforecast_request(company=company)
    first, second = reforecast_run.delay(row.pk), reforecast_run.delay(row.pk)
    assert first.get(timeout=120) == second.get(timeout=120) == ReforecastStatus.DONE
    row.refresh_from_db()
    assert Reforecast.objects.filter(company=company).count() == 1
    assert row.attempts == 1  # the second run found it done and changed nothing


def test_a_worker_killed_half_way_leaves_no_snapshot_and_the_redelivery_completes_it(
        celery_worker_process):
    company, _kgi, _ = build_shop()
    add_monitoring_kpis(company, 400)
    row, _queued = service.reforecast_request(company=company)
    worker = celery_worker_process()
    reforecast_run.delay(row.pk)
    # Kill it while it forecasts (progress runs 10 → 80 over the KPIs).
    wait_for(lambda: state(row.pk), lambda s: s[0] == "running" and 10 < s[1] < 80)
    worker.kill()
    row.refresh_from_db()
    assert row.status == ReforecastStatus.RUNNING and row.probability is None
    assert row.completed_at is None and row.payload == {}
    assert requeue_unacked() == 1  # acks_late: the message was never acknowledged
    celery_worker_process().wait_idle(timeout=180)
    row.refresh_from_db()
    assert row.status == ReforecastStatus.DONE and row.attempts == 2
    assert Reforecast.objects.filter(company=company).count() == 1
