"""A Redis cache that degrades to "no cache" while Redis is away, instead of a 500.

Every use of the cache in this project is an optimisation (pages computed under the data
token, the notification badge): a miss is always correct, only slower. So an unreachable
Redis is a miss, a write is dropped, one warning is logged, and Redis is left alone for
``RETRY_SECONDS`` so a page does not pay a connection attempt per fragment.
"""
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30


class ResilientRedisCache(RedisCache):
    down_until = 0.0  # shared by every instance of the process

    @classmethod
    def reset(cls) -> None:
        """Forget an earlier failure (tests; a process that knows Redis is back)."""
        cls.down_until = 0.0


def _degrading(name, fallback):
    parent = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache.down_until:
            return fallback(*args, **kwargs)
        try:
            return parent(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            ResilientRedisCache.down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("Cache unavailable (%s); pages are computed from the database "
                           "for the next %s s.", error, RETRY_SECONDS)
            return fallback(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}; a miss (or a no-op) while Redis is unreachable."
    return method


def _get_default(key, default=None, version=None):
    return default


for _name, _fallback in {
    "get": _get_default,
    "set": lambda *a, **k: None,
    "add": lambda *a, **k: False,
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "has_key": lambda *a, **k: False,
    "get_many": lambda *a, **k: {},
    "set_many": lambda keys, *a, **k: list(keys),
    "delete_many": lambda *a, **k: None,
    "clear": lambda *a, **k: None,
}.items():
    setattr(ResilientRedisCache, _name, _degrading(_name, _fallback))
