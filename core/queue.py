"""Enqueue Celery work after the commit without letting a broker outage fail the request.

The row that describes the work (an import batch, a snapshot) is committed first; the
message only says "go". When the broker is away the message is not sent, a warning is
logged, and the row waits: a periodic reaper (``metrics.recovery``) sends it again once the
broker is back. The tasks are idempotent, so a message sent twice does no harm.
"""
import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def send(task, *args) -> bool:
    """Send ``task(*args)`` now; False (logged) when the broker cannot be reached.

    Nothing the app sends this way is waited for (progress is read from its row), so no
    result is asked for: with a result backend a send would first subscribe to the result
    on Redis, and with Redis down that fails with a ``RuntimeError`` after its own retries
    instead of the broker's quick ``OperationalError``.
    """
    try:
        task.apply_async(args, ignore_result=True)
    except (BrokerError, OSError) as error:
        logger.warning("Broker unavailable, %s%r left for the reaper: %s", task.name, args, error)
        return False
    return True


def send_on_commit(task, *args) -> None:
    """``send`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(task, *args))
