"""A large roster is read and applied by a worker, never in the request: the upload stores
it, the worker reads it into the preview, the commit runs there as the person who clicked, all
or nothing; a batch whose worker died or whose message was lost is sent again by the reaper."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from customers import roster_jobs
from customers.models import Customer, RosterImport, RosterImportStatus
from customers.tasks import roster_analyze_task, roster_commit_task
from teams.models import Membership
from tests.celery_fixtures import SentTask, wait_for
from tests.customers.test_roster_import import HEADER

ROWS = 2_500  # over SYNC_MAX_ROWS; the file is over SYNC_MAX_BYTES


def big_roster(rows=ROWS):
    lines = [f"株式会社テスト{i:05d},スタンダード,2025/01/10,完了,2025/05/20,8,特記事項なし,"
             f"{30000 + i},\r\n" for i in range(rows)]
    data = (HEADER + "".join(lines)).encode("utf-8")
    assert len(data) > roster_jobs.SYNC_MAX_BYTES and rows > roster_jobs.SYNC_MAX_ROWS
    return data


def customers(world):
    return Customer.objects.filter(team=world.team).exclude(name="株式会社つばさ運輸").count()


def _upload(client, world, data):
    url = reverse("roster-import", args=[world.company.slug, world.team.slug])
    return client.post(url, {"file": SimpleUploadedFile("roster.csv", data),
                             "as_of": "2025-06-01"})


def _commit(client, world, batch):
    return client.post(reverse("roster-import-commit",
                               args=[world.company.slug, world.team.slug, batch.pk]))


@pytest.mark.django_db
def test_the_request_stores_a_large_roster_and_a_worker_reads_and_applies_it(
        world, client, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("customers.views.roster.send_on_commit",
                        lambda task, *args: sent.append((task.name, args)))
    client.force_login(world.user("member"))
    response = _upload(client, world, big_roster())
    batch = RosterImport.objects.latest("pk")
    assert response.status_code == 302
    # Nothing was read in the request: the file waits for the worker.
    assert batch.status == RosterImportStatus.ANALYZING and batch.rows == []
    assert sent == [("customers.tasks.roster_analyze_task", (batch.pk,))]
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="roster-working"' in page
    assert roster_analyze_task.apply(args=[batch.pk]).get() == RosterImportStatus.PREVIEW
    batch.refresh_from_db()
    assert len(batch.rows) == ROWS and batch.summary["created"] == ROWS and not batch.data
    # The click queues it for a worker, with the clicker; nothing applied in the request.
    assert _commit(client, world, batch).status_code == 302
    batch.refresh_from_db()
    assert batch.status == RosterImportStatus.QUEUED
    assert batch.commit_requested_by == world.user("member")
    assert customers(world) == 0
    assert roster_commit_task.apply(args=[batch.pk]).get() == RosterImportStatus.COMMITTED
    assert customers(world) == ROWS
    # Run twice: nothing changes.
    assert roster_commit_task.apply(args=[batch.pk]).get() == RosterImportStatus.COMMITTED
    assert customers(world) == ROWS


@pytest.mark.django_db
def test_the_worker_checks_the_clicker_again_and_fails_with_a_reason(world):
    batch = roster_jobs.roster_upload(company=world.company, team=world.team,
                                      user=world.user("member"), data=big_roster(),
                                      filename="r.csv", as_of=None)
    roster_jobs.roster_analyze(batch_id=batch.pk)
    batch.refresh_from_db()
    batch, queued = roster_jobs.roster_commit_request(batch=batch, user=world.user("member"))
    assert queued
    Membership.objects.filter(company=world.company, user=world.user("member")).update(
        role="viewer")  # demoted between the click and the worker
    assert roster_jobs.roster_commit_run(batch_id=batch.pk) == RosterImportStatus.FAILED
    batch.refresh_from_db()
    assert batch.status == RosterImportStatus.FAILED and batch.error
    assert customers(world) == 0


@pytest.mark.django_db
def test_the_reaper_sends_waiting_roster_work_after_two_minutes(world):
    analyzing = roster_jobs.roster_upload(company=world.company, team=world.team,
                                          user=world.user("member"), data=big_roster(),
                                          filename="r.csv", as_of=None)
    analyze, commit = SentTask(), SentTask()
    assert roster_jobs.roster_reap(analyze_task=analyze, commit_task=commit) == {
        "analyze": 0, "commit": 0}
    later = timezone.now() + timedelta(minutes=3)
    assert roster_jobs.roster_reap(analyze_task=analyze, commit_task=commit, now=later) == {
        "analyze": 1, "commit": 0}
    assert analyze.args == [(analyzing.pk,)]


@pytest.mark.django_db(transaction=True)
def test_a_large_roster_end_to_end_on_a_real_worker(world, client, live_celery_worker,
                                                    monkeypatch):
    # Smaller limits, so a 300-row file takes the worker path quickly on a busy machine
    # (the worker is a thread of this process, so it sees them too).
    monkeypatch.setattr(roster_jobs, "SYNC_MAX_BYTES", 10_000)
    monkeypatch.setattr(roster_jobs, "SYNC_MAX_ROWS", 100)
    client.force_login(world.user("member"))
    response = _upload(client, world, big_roster(300))
    assert response.status_code == 302
    batch = RosterImport.objects.latest("pk")
    wait_for(lambda: RosterImport.objects.get(pk=batch.pk).status,
             lambda s: s != RosterImportStatus.ANALYZING)
    batch.refresh_from_db()
    assert batch.status == RosterImportStatus.PREVIEW, batch.problems[:3]
    assert _commit(client, world, batch).status_code == 302
    wait_for(lambda: RosterImport.objects.get(pk=batch.pk).status,
             lambda s: s not in (RosterImportStatus.QUEUED, RosterImportStatus.PREVIEW))
    assert RosterImport.objects.get(pk=batch.pk).status == RosterImportStatus.COMMITTED
    assert customers(world) == 300
