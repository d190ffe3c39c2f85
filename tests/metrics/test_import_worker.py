"""A big import on a real Celery worker: upload → preview → commit → done at 100 %, run
twice without duplicates, and finished by the next worker when one is killed half-way."""
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from metrics.import_progress import progress_percent
from metrics.imports import (
    ASYNC_BYTES,
    ASYNC_RECORDS,
    import_analyze,
    import_batch_create,
)
from metrics.models import ImportBatch, ImportStatus, Measurement, MeasurementRevision
from metrics.tasks import import_commit_task
from tests.celery_fixtures import requeue_unacked, wait_for
from tests.metrics.factories import KpiFactory, small_tree
from tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def long_csv(weeks, extra_codes=()):
    """Three weekly inputs per week (ad_spend / cpc feed the computed paid_uu), and more."""
    lines = ["kpi,period,value"]
    for week in range(weeks):
        day = (date(2000, 1, 3) + timedelta(weeks=week)).isoformat()
        lines += [f"uu,{day},{1000 + week}", f"ad_spend,{day},{200000 + week}",
                  f"cpc,{day},{200 + week % 50}"]
        lines += [f"{code},{day},{week}" for code in extra_codes]
    return ("\r\n".join(lines) + "\r\n").encode()


def batch_status(pk):
    return ImportBatch.objects.values_list("status", flat=True).get(pk=pk)


def stored():
    return (Measurement.objects.count(), MeasurementRevision.objects.count(),
            Measurement.objects.filter(source="import").count())


@pytest.fixture
def company_world():
    world = build_world()
    return world, small_tree(world.company, world.team)


def test_a_worker_imports_a_big_upload_end_to_end_and_the_bar_reaches_100(
        client, company_world, live_celery_worker):
    world, kpis = company_world
    data = long_csv(3000)
    assert len(data) > ASYNC_BYTES  # checked by the worker, not in the request
    client.force_login(world.user("member"))
    response = client.post(reverse("import-upload", args=["acme"]),
                           {"file": SimpleUploadedFile("big.csv", data)})
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("import-preview", args=["acme", batch.pk])
    wait_for(lambda: batch_status(batch.pk), lambda s: s == ImportStatus.READY)
    batch.refresh_from_db()
    assert (batch.record_count, batch.new_count, batch.problems) == (9000, 9000, [])
    assert batch.record_count > ASYNC_RECORDS and not Measurement.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="count-new">9000<' in page

    client.post(reverse("import-commit", args=["acme", batch.pk]))
    wait_for(lambda: batch_status(batch.pk), lambda s: s == ImportStatus.DONE)
    batch.refresh_from_db()
    assert (batch.new_count, batch.changed_count, batch.unchanged_count) == (9000, 0, 0)
    assert stored()[2] == 9000
    # paid_uu = ad_spend / cpc, computed for each of the 3000 weeks.
    assert Measurement.objects.filter(kpi=kpis["paid_uu"]).count() == 3000
    # The polled progress bar reports 100 % and tells the page to reload with the result.
    bar = client.get(reverse("import-status", args=["acme", batch.pk]),
                     headers={"HX-Request": "true"})
    assert '<progress max="100" value="100">' in bar.content.decode()
    assert bar["HX-Refresh"] == "true"


def test_the_import_task_run_twice_or_after_a_dead_run_writes_the_same_rows(
        company_world, live_celery_worker):
    world, _kpis = company_world
    data = long_csv(2000)
    first = import_analyze(batch=import_batch_create(
        company=world.company, user=world.user("member"), filename="a.csv", data=data))
    import_commit_task.delay(first.pk).get(timeout=90)
    after_first = stored()
    assert after_first[:2] == (8000, 0)  # 6000 imported + 2000 computed, no corrections
    # The same message delivered again (a retry): the batch is done, nothing more is written.
    import_commit_task.delay(first.pk).get(timeout=90)
    assert stored() == after_first and batch_status(first.pk) == ImportStatus.DONE

    # A batch a dead worker left "running" (no one holds its lock) is finished by the next run.
    second = import_analyze(batch=import_batch_create(
        company=world.company, user=world.user("member"), filename="a.csv", data=data))
    ImportBatch.objects.filter(pk=second.pk).update(status=ImportStatus.RUNNING)
    import_commit_task.delay(second.pk).get(timeout=90)
    second.refresh_from_db()
    assert second.status == ImportStatus.DONE
    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 0, 6000)
    assert stored() == after_first


def test_an_import_killed_half_way_is_rolled_back_and_finished_by_the_next_worker(
        company_world, celery_worker_process):
    world, _kpis = company_world
    assert connection.vendor == "postgresql"
    extra = [KpiFactory(company=world.company, code=f"x{i}", unit="count", cadence="weekly",
                        team=world.team).code for i in range(7)]
    batch = import_analyze(batch=import_batch_create(
        company=world.company, user=world.user("member"), filename="k.csv",
        data=long_csv(3000, extra)))
    assert batch.status == ImportStatus.READY, batch.problems[:3]
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    worker = celery_worker_process()
    import_commit_task.delay(batch.pk)
    # Kill it half-way through writing: the progress it reports passed the reading tenth.
    percent = wait_for(lambda: progress_percent(ImportBatch.objects.get(pk=batch.pk)),
                       lambda p: 10 < p < 100)
    worker.kill()
    assert batch_status(batch.pk) == ImportStatus.RUNNING and percent < 100
    assert stored() == (0, 0, 0)  # all or nothing: the half-done import was rolled back

    assert requeue_unacked() == 1
    celery_worker_process()
    wait_for(lambda: batch_status(batch.pk), lambda s: s == ImportStatus.DONE)
    assert stored() == (33000, 0, 30000)  # and 3000 computed paid_uu
    import_commit_task.delay(batch.pk).get(timeout=90)
    assert stored() == (33000, 0, 30000)
