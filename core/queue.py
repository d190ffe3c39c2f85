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
    """``task.delay(*args)`` now; False (logged) when the broker cannot be reached."""
    try:
        task.delay(*args)
    except (BrokerError, OSError) as error:
        logger.warning("Broker unavailable, %s%r left for the reaper: %s", task.name, args, error)
        return False
    return True


def send_on_commit(task, *args) -> None:
    """``send`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(task, *args))
