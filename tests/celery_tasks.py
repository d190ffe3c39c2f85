"""Test-only Celery tasks, loaded into a worker process with ``include=["tests.celery_tasks"]``."""
import time

import redis
from celery import shared_task
from django.conf import settings


@shared_task(name="tests.hold")
def hold(key, seconds):
    """Count starts in ``<key>:started``; the first run waits ``seconds`` (time to kill its
    worker), a redelivered one finishes at once; finishes are counted in ``<key>:done``."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    if client.incr(f"{key}:started") == 1:
        time.sleep(seconds)
    client.incr(f"{key}:done")
    return "held"
