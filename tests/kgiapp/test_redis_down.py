"""With Redis down, the dashboard, team and KPI pages render from the database (no 500)."""
import logging
import socket

import pytest
from django.contrib.auth import get_user_model

from core.cache import ResilientRedisCache
from kgiapp.management.commands.seed_demo import run_steps
from metrics.import_progress import progress_percent, progress_set
from metrics.models import ImportBatch, ImportStatus


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache",
                    "LOCATION": url, "OPTIONS": {"socket_connect_timeout": 1}},
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                  "LOCATION": "redis-down-test"},
    }
    ResilientRedisCache.reset()
    yield url
    ResilientRedisCache.reset()


@pytest.fixture
def executive(client, db):
    run_steps("demo")
    client.force_login(get_user_model().objects.get(username="demo-executive"))
    return client


@pytest.mark.django_db
def test_pages_render_from_the_database_when_redis_is_down(executive, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for url in ["/demo/", "/demo/teams/marketing/", "/demo/kpis/cvr/"]:
            response = executive.get(url)
            assert response.status_code == 200, url
    # Logged once, then skipped: not one warning per fragment.
    warnings = [r for r in caplog.records if "Cache unavailable" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.django_db
def test_import_progress_works_without_redis(world, redis_down):
    batch = ImportBatch.objects.create(company=world.company, filename="x.csv", data=b"",
                                       status=ImportStatus.RUNNING)
    progress_set(batch.pk, 50, 100)  # no exception: progress is best effort
    assert progress_percent(batch) == 55
