"""Review tests run Celery tasks in-process, even when REDIS_URL points at a real broker."""
import pytest


@pytest.fixture(autouse=True)
def _eager_celery():
    from kgiapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
