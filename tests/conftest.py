"""Shared fixtures: a world of two companies with every role, and the CI no-skip rule."""
import os

import pytest

# Playwright's sync API runs an event loop; Django must still allow ORM calls in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.world import build_world  # noqa: E402

# Real Celery workers (thread or killable process) for any test that needs one.
pytest_plugins = ["tests.celery_fixtures", "tests.redis_server"]

_skipped = []


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # CI must really run the PostgreSQL, Celery-worker and browser tests.
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        print("\nCI=true and tests were skipped (not allowed in CI):")
        for nodeid in _skipped:
            print("  skipped:", nodeid)
        session.exitstatus = 1


@pytest.fixture
def celery_eager():
    """Celery tasks run in-process for this test, even when REDIS_URL names a real broker."""
    from kgiapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _data_token_at_each_write(request):
    """In a test transaction that never commits, the data token changes at each write.

    On PostgreSQL the token changes at COMMIT (teams.dataversion); a test wrapped in one
    transaction never commits, so its pages would keep the token they started with.
    Tests with real commits (``transaction=True``) keep the production behaviour.
    """
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    if marker is not None and marker.kwargs.get("transaction"):
        return
    if "db" not in request.fixturenames and marker is None:
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS dv_flush IMMEDIATE")
