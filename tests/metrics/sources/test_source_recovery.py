"""Source runs recover by themselves: a worker SIGKILLed while it fetches leaves a run the
reaper sends again (it lands once); "run now" while the broker (a Redis this test starts) is
down stores the run and it lands once the broker is back; a run nobody can finish ends
failed with a reason instead of "running" for ever."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.recovery import held
from metrics.models import ImportBatch, Measurement, MeasurementRevision
from metrics.sources.models import RunStatus, SourceRun
from metrics.sources.recovery import GIVE_UP_AFTER, HOLD, sources_reap
from metrics.sources.services import source_create
from metrics.sources.tasks import source_run_task
from tests.celery_fixtures import requeue_unacked, wait_for
from tests.csv_server import CsvServer
from tests.metrics.factories import KpiFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CSV = b"Week,Visits\r\n2026-01-05,30\r\n2026-01-12,31\r\n"
LATER = timedelta(minutes=3)
ALLOW = {"SOURCES_ALLOWED_HOSTS": "127.0.0.1"}


@pytest.fixture
def sheet(world, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (advisory locks are the heartbeat)")
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    KpiFactory(company=world.company, code="visits", name_en="Visits", name_ja="訪問",
               team=world.team, cadence="weekly")
    served = CsvServer(CSV, path="/visits.csv", hold_first=True)  # its first answer waits
    source, _secret = source_create(company=world.company, owner=world.user("admin"),
                                    name="Visits sheet", kind="url", url=served.url,
                                    mapping={"Week": "period"})
    yield source, served
    served.close()


def landed():
    return dict(Measurement.objects.filter(kpi__code="visits")
                .values_list("period_start", "value"))


EXPECTED = {date(2026, 1, 5): Decimal("30"), date(2026, 1, 12): Decimal("31")}


def test_a_worker_killed_while_it_fetches_is_recovered_by_the_reaper(
        sheet, celery_worker_process):
    source, served = sheet
    worker = celery_worker_process(env=ALLOW)
    source_run_task.delay(source.pk, "now:killed")
    wait_for(lambda: len(served.hits), lambda n: n == 1)  # the fetch is in flight
    run = SourceRun.objects.get(source=source, key="now:killed")
    assert held(HOLD) == {run.pk}
    worker.kill()
    wait_for(lambda: held(HOLD), lambda h: h == set(), timeout=30)
    assert SourceRun.objects.get(pk=run.pk).status == RunStatus.RUNNING and landed() == {}
    served.gate.set()
    celery_worker_process(env=ALLOW)
    assert sources_reap(run_task=source_run_task, now=timezone.now() + LATER) == {
        "sent": 1, "failed": 0}
    wait_for(lambda: SourceRun.objects.get(pk=run.pk).status, lambda s: s != RunStatus.RUNNING)
    run.refresh_from_db()
    assert (run.status, run.error, run.new_count) == (RunStatus.DONE, "", 2)
    assert landed() == EXPECTED
    # Retried without duplicates: one batch for the run, no value written twice (no revision).
    assert ImportBatch.objects.filter(source_run__source=source).count() == 1
    assert not MeasurementRevision.objects.filter(measurement__kpi__code="visits").exists()
    requeue_unacked()  # the dead worker's message, back in the queue, purged by the next test


def test_run_now_while_the_broker_is_down_lands_once_it_is_back(
        world, sheet, own_broker, celery_worker_process):
    source, served = sheet
    served.gate.set()
    client = Client()
    client.force_login(world.user("admin"))
    own_broker.stop()
    response = client.post(reverse("source-run", args=[world.company.slug, source.pk]))
    assert response.status_code == 302  # not a 500: the run is stored, the send gave up
    run = SourceRun.objects.get(source=source)
    assert run.status == RunStatus.RUNNING and served.hits == []
    own_broker.start()
    celery_worker_process(redis_url=own_broker.url, env=ALLOW)
    # Not before it has waited two minutes (a message may still be on its way)...
    assert sources_reap(run_task=source_run_task) == {"sent": 0, "failed": 0}
    assert sources_reap(run_task=source_run_task, now=timezone.now() + LATER) == {
        "sent": 1, "failed": 0}
    wait_for(lambda: SourceRun.objects.get(pk=run.pk).status, lambda s: s != RunStatus.RUNNING)
    assert SourceRun.objects.get(pk=run.pk).status == RunStatus.DONE
    assert landed() == EXPECTED


def test_a_run_nobody_finished_for_half_an_hour_fails_with_a_reason(sheet):
    source, _served = sheet
    run = SourceRun.objects.create(source=source, key="now:lost")
    sent = []

    class Task:
        name = "test.sent"

        def apply_async(self, args, **options):
            sent.append(tuple(args))

    later = timezone.now() + GIVE_UP_AFTER + timedelta(minutes=1)
    assert sources_reap(run_task=Task(), now=later) == {"sent": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error and run.finished_at
    assert sent == []
