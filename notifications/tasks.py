"""Celery tasks of the notifications: thin, no arguments that matter, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from notifications import delivery, due, recovery


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=5,
             max_retries=5)
def notifications_send():
    """Send what the outbox holds and is due; failures wait for their backoff."""
    return delivery.send_due()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=5,
             max_retries=3)
def notifications_tick():
    """Beat, every few minutes: queue what has come due, then send it."""
    queued = len(due.notifications_due())
    delivery.send_due()
    return queued


@shared_task
def notifications_reap():
    """Beat, every minute: queue the review emails waiting, hand due outbox rows to a worker
    (``notifications.recovery``)."""
    return recovery.notifications_reap(send_task=notifications_send)
