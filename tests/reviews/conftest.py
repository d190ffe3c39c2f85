"""Review tests run Celery tasks in-process, even when REDIS_URL points at a real broker."""
import pytest


@pytest.fixture(autouse=True)
def _eager_celery(celery_eager):
    yield
