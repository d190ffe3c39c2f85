"""Reforecasts recover by themselves: a run whose worker was SIGKILLed is sent again by the
reaper (no waiting for the broker's visibility timeout) and the admin's retry works at once;
one asked for while the broker (a Redis this test starts) was down is computed once it is
back; one that keeps killing its worker ends failed with a reason."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.recovery import held, holding
from reviews.models import Reforecast, ReforecastStatus
from reviews.reforecast import services as service
from reviews.reforecast.recovery import HOLD, MAX_ATTEMPTS, reforecasts_reap
from reviews.reforecast.tasks import reforecast_run
from teams.models import Membership
from tests.celery_fixtures import SentTask, live_worker_holding, requeue_unacked, wait_for
from tests.metrics.analytics.shop import build_shop
from tests.reviews.reforecast.test_reforecast_worker import add_monitoring_kpis, state

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LATER = timedelta(minutes=3)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (advisory locks are the heartbeat)")


def _admin_client(company):
    user = get_user_model().objects.create_user("rf-admin", password="x")
    Membership.objects.create(company=company, user=user, role="admin")
    client = Client()
    client.force_login(user)
    return client


def test_a_running_snapshot_a_worker_holds_is_left_alone_and_an_orphan_is_sent(postgres):
    company, _kgi, _ = build_shop()
    other, _kgi2, _ = build_shop(slug="other")
    held_row, _ = service.reforecast_request(company=company)
    orphan, _ = service.reforecast_request(company=other)
    Reforecast.objects.filter(pk__in=[held_row.pk, orphan.pk]).update(
        status=ReforecastStatus.RUNNING, attempts=1)
    with live_worker_holding(lambda: holding(HOLD, held_row.pk)):
        assert held(HOLD) == {held_row.pk}
        # The admin's retry: the orphan is sent again at once, the held one is not.
        assert service.reforecast_request(company=other)[1] is True
        assert service.reforecast_request(company=company)[1] is False
        sent = SentTask()
        assert reforecasts_reap(run_task=sent) == {"sent": 1, "failed": 0}
        assert sent.args == [(orphan.pk,)]
        # A second message for the held row steps aside (it does not compute it twice).
        assert reforecast_run.apply(args=[held_row.pk]).get() == "held"


def test_a_snapshot_that_keeps_losing_its_worker_fails_with_a_reason(postgres):
    company, _kgi, _ = build_shop()
    row, _ = service.reforecast_request(company=company)
    Reforecast.objects.filter(pk=row.pk).update(status=ReforecastStatus.RUNNING,
                                                attempts=MAX_ATTEMPTS)
    sent = SentTask()
    assert reforecasts_reap(run_task=sent) == {"sent": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == ReforecastStatus.FAILED and "3" in row.error and sent.args == []
    # The admin's retry starts again from zero.
    row, queued = service.reforecast_request(company=company)
    assert queued and row.status == ReforecastStatus.PENDING and row.attempts == 0


def test_a_pending_snapshot_is_sent_again_only_after_waiting_two_minutes(postgres):
    company, _kgi, _ = build_shop()
    row, _ = service.reforecast_request(company=company)
    sent = SentTask()
    assert reforecasts_reap(run_task=sent) == {"sent": 0, "failed": 0}
    assert reforecasts_reap(run_task=sent, now=timezone.now() + LATER) == {"sent": 1,
                                                                          "failed": 0}
    assert sent.args == [(row.pk,)]


def test_a_worker_killed_mid_reforecast_is_recovered_by_the_reaper(celery_worker_process):
    company, _kgi, _ = build_shop()
    add_monitoring_kpis(company, 400)
    row, _queued = service.reforecast_request(company=company)
    worker = celery_worker_process()
    reforecast_run.delay(row.pk)
    wait_for(lambda: state(row.pk), lambda s: s[0] == "running" and 10 < s[1] < 80)
    assert held(HOLD) == {row.pk}
    worker.kill()
    # The dead worker's connection goes, and its hold with it: no clock, no visibility timeout.
    wait_for(lambda: held(HOLD), lambda h: h == set(), timeout=30)
    assert state(row.pk)[0] == ReforecastStatus.RUNNING
    celery_worker_process()
    assert reforecasts_reap(run_task=reforecast_run) == {"sent": 1, "failed": 0}
    wait_for(lambda: state(row.pk), lambda s: s[0] in ("done", "failed"), timeout=180)
    row.refresh_from_db()
    assert row.status == ReforecastStatus.DONE and row.attempts == 2, row.error
    assert Reforecast.objects.filter(company=company).count() == 1
    requeue_unacked()  # the dead worker's message, back in the queue, purged by the next test


def test_run_now_while_the_broker_is_down_is_computed_once_it_is_back(
        own_broker, celery_worker_process):
    company, _kgi, _ = build_shop()
    admin = _admin_client(company)
    own_broker.stop()
    response = admin.post(reverse("reforecast-run", args=[company.slug]))
    assert response.status_code == 302  # not a 500: the row waits, the send gave up
    row = Reforecast.objects.get(company=company)
    assert row.status == ReforecastStatus.PENDING
    own_broker.start()  # back, empty: the message was never stored anywhere
    celery_worker_process(redis_url=own_broker.url)
    # The beat's reaper finds the month waiting and sends it.
    assert reforecasts_reap(run_task=reforecast_run, now=timezone.now() + LATER) == {
        "sent": 1, "failed": 0}
    wait_for(lambda: state(row.pk), lambda s: s[0] in ("done", "failed"), timeout=180)
    row.refresh_from_db()
    assert row.status == ReforecastStatus.DONE, row.error


def test_the_admins_retry_after_the_broker_is_back_computes_at_once(
        own_broker, celery_worker_process):
    company, _kgi, _ = build_shop()
    admin = _admin_client(company)
    own_broker.stop()
    assert admin.post(reverse("reforecast-run", args=[company.slug])).status_code == 302
    own_broker.start()
    celery_worker_process(redis_url=own_broker.url)
    assert admin.post(reverse("reforecast-run", args=[company.slug])).status_code == 302
    row = Reforecast.objects.get(company=company)
    wait_for(lambda: state(row.pk), lambda s: s[0] in ("done", "failed"), timeout=180)
    assert state(row.pk)[0] == ReforecastStatus.DONE


def test_the_admin_resends_an_orphaned_snapshot_from_its_page(postgres, celery_eager):
    company, _kgi, _ = build_shop()
    admin = _admin_client(company)
    row, _ = service.reforecast_request(company=company)
    Reforecast.objects.filter(pk=row.pk).update(status=ReforecastStatus.RUNNING, attempts=1,
                                                progress=40)  # its worker died at 40 %
    page = admin.get(reverse("reforecast-detail", args=[company.slug, row.month_key]))
    assert 'data-testid="rf-resend"' in page.content.decode()
    admin.post(reverse("reforecast-run", args=[company.slug]), {"month": row.month_key})
    row.refresh_from_db()
    assert row.status == ReforecastStatus.DONE and row.attempts == 2
