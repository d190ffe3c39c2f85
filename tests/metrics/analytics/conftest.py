"""Reforecast tests run Celery in-process unless they ask for a real worker (which turns
eager off again for its own test)."""
import pytest


@pytest.fixture(autouse=True)
def _eager_celery(celery_eager):
    yield
