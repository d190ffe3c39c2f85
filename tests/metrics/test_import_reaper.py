"""Import runs recover by themselves: the reaper resends work whose worker died (SIGKILL) or
that was stored while the broker was down, and leaves alone a batch a live worker holds."""
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from metrics.import_progress import progress_percent
from metrics.imports import import_analyze, import_batch_create
from metrics.models import ImportBatch, ImportStatus, Measurement
from metrics.recovery import imports_reap
from metrics.tasks import import_analyze_task, import_commit_task
from tests.celery_fixtures import (
    SentTask,
    live_worker_holding,
    requeue_unacked,
    row_locked,
    wait_for,
)
from tests.metrics.factories import KpiFactory, small_tree
from tests.metrics.test_import_worker import batch_status, long_csv, stored
from tests.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SMALL = "期間,UU\r\n2026-03-02,5\r\n".encode()


@pytest.fixture
def world_kpis():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SKIP LOCKED)")
    world = build_world()
    return world, small_tree(world.company, world.team)


def _ready_batch(world, data=SMALL):
    batch = import_analyze(batch=import_batch_create(
        company=world.company, user=world.user("admin"), filename="n.csv", data=data))
    assert batch.status == ImportStatus.READY, batch.problems
    return batch


def test_a_running_batch_nobody_holds_is_sent_again_and_one_a_worker_holds_is_not(
        world_kpis):
    world, _kpis = world_kpis
    orphan, held = _ready_batch(world), _ready_batch(world)
    ImportBatch.objects.filter(pk__in=[orphan.pk, held.pk]).update(status=ImportStatus.RUNNING)
    with live_worker_holding(lambda: row_locked(ImportBatch, held.pk)):  # import_commit's lock
        commit, analyze = SentTask(), SentTask()
        assert imports_reap(analyze_task=analyze, commit_task=commit) == {"commit": 1,
                                                                          "analyze": 0}
        assert commit.args == [(orphan.pk,)]


def test_queued_or_analyzing_work_is_sent_again_only_after_waiting_two_minutes(world_kpis):
    world, _kpis = world_kpis
    queued = _ready_batch(world)
    ImportBatch.objects.filter(pk=queued.pk).update(
        status=ImportStatus.QUEUED, commit_requested_at=timezone.now())
    analyzing = import_batch_create(company=world.company, user=world.user("admin"),
                                    filename="big.csv", data=b"x" * 200_000)
    assert analyzing.status == ImportStatus.ANALYZING
    commit, analyze = SentTask(), SentTask()
    assert imports_reap(analyze_task=analyze, commit_task=commit) == {"commit": 0, "analyze": 0}
    later = timezone.now() + timedelta(minutes=3)
    assert imports_reap(analyze_task=analyze, commit_task=commit, now=later) == {
        "commit": 1, "analyze": 1}
    assert (commit.args, analyze.args) == ([(queued.pk,)], [(analyzing.pk,)])


def test_an_upload_while_the_broker_is_down_is_not_a_500_and_is_analyzed_when_it_is_back(
        client, world_kpis, monkeypatch, celery_eager):
    world, _kpis = world_kpis

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(import_analyze_task, "apply_async", broker_down)
    client.force_login(world.user("admin"))
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = ("期間,UU\r\n" + "".join(f"2026-03-02,{i}\r\n" for i in range(1)) + "#" * 160_000
            ).encode()
    response = client.post(reverse("import-upload", args=["acme"]),
                           {"file": SimpleUploadedFile("big.csv", data)})
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportStatus.ANALYZING
    monkeypatch.undo()  # the broker is back; the beat runs the reaper
    imports_reap(analyze_task=import_analyze_task, commit_task=import_commit_task,
                 now=timezone.now() + timedelta(minutes=3))
    assert batch_status(batch.pk) not in {ImportStatus.ANALYZING, ImportStatus.UPLOADED}


def test_a_worker_killed_mid_import_is_recovered_by_the_reaper_without_the_broker(
        world_kpis, celery_worker_process):
    world, _kpis = world_kpis
    extra = [KpiFactory(company=world.company, code=f"x{i}", unit="count", cadence="weekly",
                        team=world.team).code for i in range(7)]
    batch = _ready_batch(world, long_csv(3000, extra))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED,
                                                   commit_requested_at=timezone.now())
    worker = celery_worker_process()
    import_commit_task.delay(batch.pk)
    wait_for(lambda: progress_percent(ImportBatch.objects.get(pk=batch.pk)),
             lambda p: 10 < p < 100)
    worker.kill()
    assert batch_status(batch.pk) == ImportStatus.RUNNING and stored() == (0, 0, 0)
    # No redelivery (that waits for the visibility timeout): the beat's reaper finds the
    # batch nobody holds once the dead connection's lock is gone, and a new worker runs it.
    celery_worker_process()
    wait_for(lambda: imports_reap(analyze_task=import_analyze_task,
                                  commit_task=import_commit_task)["commit"],
             lambda sent: sent == 1, timeout=60, interval=0.5)
    wait_for(lambda: batch_status(batch.pk), lambda s: s == ImportStatus.DONE)
    assert stored() == (33000, 0, 30000)
    assert Measurement.objects.filter(source="import").count() == 30000
    requeue_unacked()  # the dead worker's message: back in the queue, purged by the next test
