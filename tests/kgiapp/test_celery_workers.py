"""The suite's real Celery workers (tests/celery_fixtures.py) do what their docstring promises."""
import uuid

import pytest
import redis
from django.conf import settings

from tests.celery_fixtures import requeue_unacked, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _count(client, key):
    return int(client.get(key) or 0)


def test_the_thread_worker_answers_through_redis_with_eager_off(live_celery_worker):
    from celery.contrib.testing.tasks import ping

    from kgiapp.celery import app

    assert app.conf.task_always_eager is False
    result = ping.delay()
    assert result.get(timeout=20) == "pong"
    # It really went through the broker: the worker, not this thread, stored the result.
    assert result.state == "SUCCESS" and result.backend.get_task_meta(result.id)["result"]


def test_a_killed_worker_process_leaves_its_task_unfinished_until_requeued(
        celery_worker_process):
    from kgiapp.celery import app

    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"hold-{uuid.uuid4().hex}"
    first = celery_worker_process(include=["tests.celery_tasks"])
    app.send_task("tests.hold", args=[key, 60])
    wait_for(lambda: _count(client, f"{key}:started"), lambda n: n == 1, timeout=30)
    first.kill()
    assert not first.is_alive()
    assert _count(client, f"{key}:done") == 0
    assert requeue_unacked() == 1
    second = celery_worker_process(include=["tests.celery_tasks"])
    wait_for(lambda: _count(client, f"{key}:done"), lambda n: n == 1, timeout=30)
    second.wait_idle()
    assert (_count(client, f"{key}:started"), _count(client, f"{key}:done")) == (2, 1)
