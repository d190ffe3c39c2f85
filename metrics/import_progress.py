"""An import's progress outside its transaction.

The write runs in one transaction (all or nothing), so its progress cannot be a row update
others would see; it goes to Redis when there is one, else to this process.
"""
from __future__ import annotations

from contextlib import suppress

from django.conf import settings
from redis.exceptions import RedisError

from metrics.models import ImportBatch, ImportStatus

_LOCAL_PROGRESS: dict[int, tuple[int, int]] = {}


def _redis():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def progress_set(batch_id: int, done: int, total: int) -> None:
    # Progress is best effort: Redis going away must not fail (or stall) the import.
    _LOCAL_PROGRESS[batch_id] = (done, total)
    client = _redis()
    if client is not None:
        with suppress(RedisError, OSError):
            client.set(f"kgiapp:import:{batch_id}", f"{done}/{total}", ex=3600)


def progress_clear(batch_id: int) -> None:
    _LOCAL_PROGRESS.pop(batch_id, None)
    client = _redis()
    if client is not None:
        with suppress(RedisError, OSError):
            client.delete(f"kgiapp:import:{batch_id}")


def progress_percent(batch: ImportBatch) -> int:
    """How far the batch is, 0–100, for the progress bar."""
    if batch.status in {ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.READY,
                        ImportStatus.FAILED}:
        return 100
    done, total = _LOCAL_PROGRESS.get(batch.pk, (0, 1))
    client = _redis()
    if client is not None:
        with suppress(RedisError, OSError):
            raw = client.get(f"kgiapp:import:{batch.pk}")
            done, total = (int(x) for x in raw.decode().split("/")) if raw else (0, 1)
    # Reading and checking is the first tenth; writing the rest.
    return 10 + int(90 * done / max(total, 1)) if batch.status == ImportStatus.RUNNING else 5
